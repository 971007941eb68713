import type { ChatCompletion, ChatCompletionChunk } from '../chat.types.js';
import { assembleChunks, completionToChunks } from './sse-replay.js';

const usage = {
  prompt_tokens: 10,
  completion_tokens: 5,
  total_tokens: 15,
  prompt_cache_hit_tokens: 4,
  prompt_cache_miss_tokens: 6,
};
const base = {
  id: 'cmpl-9',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'deepseek-v4-flash',
  system_fingerprint: 'fp_1',
};
const plain: ChatCompletion = {
  ...base,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Four.' }, logprobs: null, finish_reason: 'stop' }],
  usage,
};
const thinking: ChatCompletion = {
  ...base,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Four.', reasoning_content: '2 + 2 = 4' },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage,
};
const toolCall = { id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":2}' } };
const tools: ChatCompletion = {
  ...base,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: '', tool_calls: [toolCall] },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage,
};
const twoChoices: ChatCompletion = {
  ...base,
  choices: [
    { index: 0, message: { role: 'assistant', content: 'A' }, logprobs: null, finish_reason: 'stop' },
    { index: 1, message: { role: 'assistant', content: 'B' }, logprobs: null, finish_reason: 'length' },
  ],
  usage,
};

describe('completionToChunks', () => {
  it('replays an answer as DeepSeek streams it: role, content, final chunk with finish reason and usage', () => {
    const chunks = completionToChunks(plain);
    expect(chunks.map((chunk) => chunk.choices[0])).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: 'Four.' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: '' }, logprobs: null, finish_reason: 'stop' },
    ]);
    for (const chunk of chunks)
      expect(chunk).toMatchObject({
        id: 'cmpl-9',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'deepseek-v4-flash',
        system_fingerprint: 'fp_1',
      });
    expect(chunks.map((chunk) => chunk.usage)).toEqual([undefined, undefined, usage]);
  });

  it('sends the reasoning before the content, and tool calls with their index', () => {
    expect(completionToChunks(thinking).map((chunk) => chunk.choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: null, reasoning_content: '2 + 2 = 4' },
      { content: 'Four.' },
      { content: '' },
    ]);
    expect(completionToChunks(tools)[1].choices[0].delta).toEqual({ tool_calls: [{ index: 0, ...toolCall }] });
  });

  it('keeps the model as upstream returned it', () => {
    expect(
      completionToChunks({ ...plain, model: 'deepseek-v4-flash-0425' }).every(
        (chunk) => chunk.model === 'deepseek-v4-flash-0425',
      ),
    ).toBe(true);
  });
});

describe('assembleChunks', () => {
  it.each<[string, ChatCompletion]>([
    ['a plain answer', plain],
    ['reasoning', thinking],
    ['tool calls', tools],
    ['two choices', twoChoices],
  ])('rebuilds the completion a replay came from: %s', (_why, completion) => {
    expect(assembleChunks(completionToChunks(completion))).toEqual(completion);
  });

  it('joins content pieces and tool call argument pieces', () => {
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): ChatCompletionChunk => ({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    });
    const assembled = assembleChunks([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Fo' }),
      chunk({ content: 'ur.' }),
      chunk({
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":' } }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '2}' } }] }),
      chunk({ content: '' }, 'stop'),
    ]);
    expect(assembled?.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Four.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":2}' } }],
    });
  });

  it('does not throw on a value that is not a chunk (a whole completion): its empty answer is never cacheable', () => {
    const assembled = assembleChunks([plain as unknown as ChatCompletionChunk]);
    expect(assembled?.choices[0].message.content).toBe('');
  });

  it.each<[string, ChatCompletionChunk[]]>([
    ['no chunk at all', []],
    ['a stream cut before its final chunk', completionToChunks(plain).slice(0, 2)],
    [
      'one of two choices unfinished',
      completionToChunks(twoChoices).filter(
        (chunk) => !(chunk.choices[0].index === 1 && chunk.choices[0].finish_reason),
      ),
    ],
    ['chunks without choices', [{ ...base, object: 'chat.completion.chunk', choices: [] }]],
  ])('is undefined for a stream that never finished: %s', (_why, chunks) => {
    expect(assembleChunks(chunks)).toBeUndefined();
  });
});
