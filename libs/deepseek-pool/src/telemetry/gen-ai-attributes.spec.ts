import {
  AttemptsExhaustedError,
  DeadlineExceededError,
  NoAvailableKeyError,
  RequestAbortedError,
  StreamInterruptedError,
  UpstreamError,
} from '../deepseek-pool.errors.js';
import type { Outcome } from '../resilience/outcome.js';
import { attemptErrorType, callErrorType, requestAttributes, serverAttributes } from './gen-ai-attributes.js';

describe('attemptErrorType: error.type of an attempt is the pool classification', () => {
  it.each<[Outcome, string]>([
    [{ kind: 'http', status: 429 }, 'rate_limited'],
    [
      {
        kind: 'http',
        status: 429,
        message: 'Your current concurrency is 40, which exceeds your concurrency limit of 39',
      },
      'concurrency_limited',
    ],
    [{ kind: 'http', status: 401 }, 'revoked'],
    [{ kind: 'http', status: 402 }, 'insufficient_balance'],
    [{ kind: 'http', status: 403 }, 'forbidden'],
    [{ kind: 'http', status: 400 }, 'invalid_request'],
    [{ kind: 'http', status: 422 }, 'invalid_request'],
    [{ kind: 'http', status: 500 }, 'upstream_error'],
    [{ kind: 'http', status: 404 }, 'upstream_error'],
    [{ kind: 'timeout', phase: 'first-byte' }, 'timeout'],
    [{ kind: 'network', code: 'ECONNRESET' }, 'network_error'],
    [{ kind: 'empty-body' }, 'empty_body'],
    [{ kind: 'protocol', detail: 'stream cut' }, 'protocol_error'],
    [{ kind: 'aborted' }, 'aborted'],
  ])('%j -> %s', (outcome, expected) => {
    expect(attemptErrorType(outcome)).toBe(expected);
  });
});

describe('callErrorType: error.type of a call', () => {
  const upstream = new UpstreamError('bad request', { kind: 'http', status: 400 }, 'a', undefined);
  it.each<[unknown, string]>([
    [upstream, 'invalid_request'],
    [new NoAvailableKeyError('none', undefined, false), 'no_available_key'],
    [new AttemptsExhaustedError('spent', upstream, undefined, []), 'attempts_exhausted'],
    [new DeadlineExceededError(10, []), 'deadline_exceeded'],
    [new RequestAbortedError(), 'aborted'],
    [new StreamInterruptedError('cut', 'a', { kind: 'protocol', detail: 'cut' }, []), 'stream_interrupted'],
    [new TypeError('bug'), '_OTHER'],
  ])('%s -> %s', (error, expected) => {
    expect(callErrorType(error)).toBe(expected);
  });
});

describe('requestAttributes', () => {
  it('sets the sampling settings a request has, and only those', () => {
    expect(requestAttributes({ model: 'm', messages: [] }, false)).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.request.stream': false,
    });
    expect(
      requestAttributes({ model: 'm', messages: [], max_completion_tokens: 9, temperature: 0, top_p: 1 }, true),
    ).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.request.stream': true,
      'gen_ai.request.max_tokens': 9,
      'gen_ai.request.temperature': 0,
      'gen_ai.request.top_p': 1,
    });
  });
});

describe('serverAttributes', () => {
  it.each([
    ['https://api.deepseek.com', 'api.deepseek.com', 443],
    ['http://127.0.0.1:8080/v1', '127.0.0.1', 8080],
    ['http://[::1]:9000', '::1', 9000],
    ['http://internal', 'internal', 80],
  ])('%s -> %s:%d', (baseUrl, address, port) => {
    expect(serverAttributes(baseUrl)).toEqual({ 'server.address': address, 'server.port': port });
  });
});
