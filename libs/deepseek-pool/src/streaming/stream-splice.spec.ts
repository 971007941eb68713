import type { ChatCompletionChunk, Usage } from '../chat.types.js';
import { StreamSplice, sumUsage } from './stream-splice.js';

function chunk(
  id: string,
  delta: Record<string, unknown>,
  extra: Partial<ChatCompletionChunk> = {},
): ChatCompletionChunk {
  return {
    id,
    object: 'chat.completion.chunk',
    model: `model-${id}`,
    created: id === 'one' ? 1 : 2,
    system_fingerprint: `fp-${id}`,
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
}

const usage = (prompt: number, completion: number): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_cache_hit_tokens: 0,
  prompt_cache_miss_tokens: prompt,
});

describe('StreamSplice', () => {
  it('passes the first call unchanged and records what the caller received', () => {
    const splice = new StreamSplice();
    const role = chunk('one', { role: 'assistant', content: '' });
    expect(splice.pass(role)).toBe(role);
    splice.pass(chunk('one', { content: null, reasoning_content: 'Think' }));
    splice.pass(chunk('one', { content: 'Hel' }));
    expect(splice.received).toEqual({ content: 'Hel', reasoning: 'Think', toolCalls: false, finished: false });
  });

  it('gives continuation chunks the first identity, drops their role delta, adds the broken usage to the final one', () => {
    const splice = new StreamSplice();
    splice.pass(chunk('one', { role: 'assistant', content: '' }));
    splice.pass(chunk('one', { content: 'Hel' }));
    splice.broke(usage(10, 1));
    expect(splice.pass(chunk('two', { role: 'assistant', content: '' }))).toBeUndefined();
    expect(splice.pass(chunk('two', { content: 'lo' }))).toEqual(chunk('one', { content: 'lo' }));
    const final = splice.pass(
      chunk(
        'two',
        { content: '' },
        { choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop' }], usage: usage(12, 1) },
      ),
    );
    expect(final).toMatchObject({
      id: 'one',
      model: 'model-one',
      created: 1,
      system_fingerprint: 'fp-one',
      usage: usage(22, 2),
    });
    expect(splice.received).toMatchObject({ content: 'Hello', finished: true });
  });

  it('sums the usage of every broken call', () => {
    const splice = new StreamSplice();
    splice.pass(chunk('one', { content: 'a' }));
    splice.broke(usage(10, 1));
    splice.pass(chunk('two', { content: 'b' }));
    splice.broke(usage(11, 1));
    expect(splice.pass(chunk('three', {}, { choices: [], usage: usage(12, 1) }))?.usage).toEqual(usage(33, 3));
  });

  it('notes tool-call deltas', () => {
    const splice = new StreamSplice();
    splice.pass(chunk('one', { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '' } }] }));
    expect(splice.received.toolCalls).toBe(true);
  });
});

describe('sumUsage', () => {
  it('adds every count, nested ones too, in the shape the upstream reported', () => {
    const reported = {
      prompt_tokens: 5,
      completion_tokens: 2,
      total_tokens: 7,
      completion_tokens_details: { reasoning_tokens: 1 },
      prompt_tokens_details: { cached_tokens: 3 },
    };
    const extra = { ...usage(4, 2), completion_tokens_details: { reasoning_tokens: 1 } };
    expect(sumUsage(reported, extra)).toEqual({
      prompt_tokens: 9,
      completion_tokens: 4,
      total_tokens: 13,
      completion_tokens_details: { reasoning_tokens: 2 },
      prompt_tokens_details: { cached_tokens: 3 },
    });
  });
});
