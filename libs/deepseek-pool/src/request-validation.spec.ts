import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from './deepseek-pool.errors.js';
import { MAX_MODEL_CHARS, validateChatRequest } from './request-validation.js';

const user = { role: 'user', content: 'Hello' };
const valid = { model: 'deepseek-chat', messages: [user] };

/** The InvalidRequestError `validateChatRequest(body)` throws, or undefined when it accepts the body. */
function rejection(body: unknown): InvalidRequestError | undefined {
  try {
    validateChatRequest(body);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
}

describe('validateChatRequest', () => {
  it.each([
    ['a minimal request', valid],
    ['every optional field set', { ...valid, stream: true, temperature: 2, top_p: 0, max_tokens: 1, tools: [] }],
    ['optional fields null', { ...valid, temperature: null, max_tokens: null, stream_options: null }],
    ['stream_options as an object', { ...valid, stream: true, stream_options: { include_usage: true } }],
    [
      'an assistant turn with tool calls and no content',
      { ...valid, messages: [user, { role: 'assistant', tool_calls: [] }] },
    ],
    [
      'content as an array of parts',
      { ...valid, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] },
    ],
    ['a model name at the length limit', { ...valid, model: 'm'.repeat(MAX_MODEL_CHARS) }],
  ])('accepts %s', (_case, body) => {
    // Act
    const error = rejection(body);

    // Assert
    expect(error).toBeUndefined();
  });

  it.each([
    ['a body that is not an object', [valid], 'body', 'must be a JSON object'],
    ['a blank model', { ...valid, model: '  ' }, 'model', 'must be a non-empty string'],
    ['a model name over the limit', { ...valid, model: 'm'.repeat(MAX_MODEL_CHARS + 1) }, 'model', 'at most 256'],
    ['no messages', { ...valid, messages: [] }, 'messages', 'must be a non-empty array'],
    ['a message that is not an object', { ...valid, messages: [user, 'hi'] }, 'messages[1]', 'must be an object'],
    [
      'an unknown role',
      { ...valid, messages: [user, user, { role: 'bot', content: 'x' }] },
      'messages[2].role',
      'one of',
    ],
    ['a message without content', { ...valid, messages: [{ role: 'user' }] }, 'messages[0].content', 'is required'],
    ['content of another type', { ...valid, messages: [{ role: 'user', content: 3 }] }, 'messages[0].content', 'parts'],
    ['stream not a boolean', { ...valid, stream: 'yes' }, 'stream', 'must be a boolean'],
    ['temperature above 2', { ...valid, temperature: 2.5 }, 'temperature', 'from 0 to 2'],
    ['top_p below 0', { ...valid, top_p: -0.1 }, 'top_p', 'from 0 to 1'],
    ['max_tokens not an integer', { ...valid, max_tokens: 1.5 }, 'max_tokens', 'positive integer'],
    ['max_tokens of 0', { ...valid, max_tokens: 0 }, 'max_tokens', 'positive integer'],
    ['tools not an array', { ...valid, tools: {} }, 'tools', 'must be an array'],
    ['stream_options not an object', { ...valid, stream_options: true }, 'stream_options', 'must be an object'],
  ])('rejects %s, naming the field', (_case, body, field, problem) => {
    // Act
    const error = rejection(body);

    // Assert
    expect(error?.field).toBe(field);
    expect(error?.message).toContain(problem);
  });
});
