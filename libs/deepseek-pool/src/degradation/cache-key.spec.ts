import type { ChatCompletionRequest } from '../chat.types.js';
import { cacheKey, canonicalJson } from './cache-key.js';

const BASE: ChatCompletionRequest = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: 'What is 2 + 2?' }],
  temperature: 0,
};
const key = (request: ChatCompletionRequest, tenant = 'tenant-a') => cacheKey(request, tenant, 'p:');

describe('cacheKey', () => {
  it('is the prefix and a sha256 hex digest', () => {
    expect(key(BASE)).toMatch(/^p:[0-9a-f]{64}$/);
  });

  it.each<[string, ChatCompletionRequest]>([
    [
      'field order',
      { temperature: 0, messages: [{ content: 'What is 2 + 2?', role: 'user' }], model: 'deepseek-v4-flash' },
    ],
    ['stream: true', { ...BASE, stream: true }],
    ['stream_options', { ...BASE, stream: true, stream_options: { include_usage: true } }],
    ['an undefined field', { ...BASE, top_p: undefined }],
  ])('ignores %s', (_why, request) => {
    expect(key(request)).toBe(key(BASE));
  });

  it.each<[string, ChatCompletionRequest]>([
    ['model', { ...BASE, model: 'deepseek-v4-pro' }],
    ['messages', { ...BASE, messages: [{ role: 'user', content: 'What is 2 + 3?' }] }],
    ['message role', { ...BASE, messages: [{ role: 'system', content: 'What is 2 + 2?' }] }],
    ['tools', { ...BASE, tools: [{ type: 'function', function: { name: 'add' } }] }],
    ['tool_choice', { ...BASE, tool_choice: 'none' }],
    ['response_format', { ...BASE, response_format: { type: 'json_object' } }],
    ['temperature', { ...BASE, temperature: 0.5 }],
    ['top_p', { ...BASE, top_p: 0.9 }],
    ['max_tokens', { ...BASE, max_tokens: 10 }],
    ['stop', { ...BASE, stop: ['\n'] }],
    ['frequency_penalty', { ...BASE, frequency_penalty: 1 }],
    ['thinking', { ...BASE, thinking: { type: 'enabled' } }],
  ])('changes with %s', (_why, request) => {
    expect(key(request)).not.toBe(key(BASE));
  });

  it('differs per tenant and holds nothing readable of it', () => {
    expect(key(BASE, 'alice')).not.toBe(key(BASE, 'bob'));
    expect(key(BASE, 'alice')).not.toContain('alice');
  });
});

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}'],
    [[3, 1, 2], '[3,1,2]'],
    ['text', '"text"'],
  ])('sorts object keys at every depth, never array items: %j', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});
