import { describe, expect, it } from '@jest/globals';
import { toOpenAiError } from './openai-error.js';

/** An error as body-parser (`status`, `type`) or Fastify (`statusCode`, `code`) throws it. */
function httpError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('toOpenAiError: HTTP errors thrown before the route (body-parser, Fastify)', () => {
  it.each([
    [
      'body-parser: body too large',
      httpError('request entity too large', { status: 413, statusCode: 413, type: 'entity.too.large' }),
      413,
      'The request body is too large',
    ],
    [
      'body-parser: invalid JSON',
      httpError('Unexpected token', { status: 400, statusCode: 400, type: 'entity.parse.failed' }),
      400,
      'The request body is not valid JSON',
    ],
    [
      'body-parser: unsupported charset',
      httpError('unsupported charset "LATIN1"', { status: 415, statusCode: 415, type: 'charset.unsupported' }),
      415,
      'unsupported charset "LATIN1"',
    ],
    [
      'Fastify: invalid Content-Type',
      httpError('Unsupported Media Type', { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
      415,
      'Unsupported Media Type',
    ],
    [
      'Fastify: malformed URL',
      httpError("'/%E0' is not a valid url component", { statusCode: 400, code: 'FST_ERR_BAD_URL' }),
      400,
      "'/%E0' is not a valid url component",
    ],
  ])('%s: %i in the OpenAI envelope, not retried', (_case, error, status, message) => {
    expect(toOpenAiError(error)).toEqual({
      status,
      headers: { 'x-should-retry': 'false' },
      body: { error: { message, type: 'invalid_request_error', param: null, code: null } },
    });
  });

  it.each([
    ['a 5xx statusCode', httpError('boom', { statusCode: 503 })],
    ['a status that is not a number', httpError('boom', { status: '400' })],
    ['a plain Error', new Error('boom')],
    ['a non-Error', 'boom'],
  ])('%s: a 500 that hides the message', (_case, error) => {
    expect(toOpenAiError(error)).toMatchObject({ status: 500, body: { error: { message: 'Internal gateway error' } } });
  });
});
