import type { ChatCompletionChunk } from '../chat.types.js';
import { carriesContent } from './chunk-content.js';

const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  model: 'deepseek-v4-flash',
  choices: [{ index: 0, delta, finish_reason }],
});

describe('carriesContent', () => {
  it.each<[string, ChatCompletionChunk, boolean]>([
    ['the opening role delta', chunk({ role: 'assistant', content: '' }), false],
    ['an empty delta', chunk({}), false],
    ['text', chunk({ content: 'Hi' }), true],
    ['reasoning', chunk({ reasoning_content: 'Let me think' }), true],
    ['a tool call', chunk({ tool_calls: [{ index: 0, id: 't', function: { name: 'f', arguments: '' } }] }), true],
    ['the final chunk with finish_reason', chunk({}, 'stop'), true],
    ['a chunk without choices', { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [] }, false],
  ])('%s -> %s', (_name, input, expected) => {
    expect(carriesContent(input)).toBe(expected);
  });
});
