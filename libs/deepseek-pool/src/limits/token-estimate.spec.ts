import { describe, expect, it } from '@jest/globals';
import type { ChatCompletionRequest } from '../chat.types.js';
import { estimateTokens } from './token-estimate.js';

const OPTIONS = { charsPerToken: 4, completionTokens: 1_024 };
const ask = (content: unknown, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest =>
  ({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content }], ...extra }) as ChatCompletionRequest;

describe('estimateTokens', () => {
  it.each<[string, ChatCompletionRequest, number]>([
    ['prompt chars / 4 plus the default completion', ask('x'.repeat(400)), 100 + 1_024],
    ['rounds the prompt up', ask('abcde'), 2 + 1_024],
    ['uses max_tokens when set', ask('x'.repeat(40), { max_tokens: 50 }), 10 + 50],
    ['uses max_completion_tokens when set', ask('x'.repeat(40), { max_completion_tokens: 70 }), 10 + 70],
    [
      'counts structured content by its JSON size',
      ask([{ type: 'text', text: 'hi' }]),
      Math.ceil(JSON.stringify([{ type: 'text', text: 'hi' }]).length / 4) + 1_024,
    ],
    ['counts a null content as nothing', ask(null, { max_tokens: 1 }), 1],
  ])('%s', (_name, request, expected) => {
    // Act / Assert
    expect(estimateTokens(request, OPTIONS)).toBe(expected);
  });
});
