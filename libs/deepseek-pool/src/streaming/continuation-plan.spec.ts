import type { ChatCompletionRequest } from '../chat.types.js';
import {
  type ContinuationInput,
  type Received,
  brokenCallUsage,
  canContinue,
  continuationBaseUrl,
  continuationRequest,
  planContinuation,
} from './continuation-plan.js';

const request: ChatCompletionRequest = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: 'Hi' }],
  stream: true,
};
const received = (over: Partial<Received> = {}): Received => ({
  content: 'Hel',
  reasoning: '',
  toolCalls: false,
  finished: false,
  ...over,
});
const input = (over: Partial<ContinuationInput> = {}): ContinuationInput => ({
  request,
  received: received(),
  outcome: { kind: 'network', code: 'ECONNRESET' },
  enabled: true,
  callerAborted: false,
  done: 0,
  maxAttempts: 2,
  remainingMs: 1_000,
  ...over,
});

describe('planContinuation', () => {
  it.each<[string, Partial<ContinuationInput>, ReturnType<typeof planContinuation>]>([
    ['a cut after content', {}, 'continue'],
    ['an idle timeout', { outcome: { kind: 'timeout', phase: 'idle' } }, 'continue'],
    ['an error event', { outcome: { kind: 'protocol', detail: 'error event' } }, 'continue'],
    ['a malformed event', { outcome: { kind: 'protocol', detail: 'a stream event is not JSON' } }, 'continue'],
    ['a 5xx-like failure, second continuation of two', { done: 1 }, 'continue'],
    ['the caller aborted (outcome)', { outcome: { kind: 'aborted' } }, 'aborted'],
    ['the caller aborted (signal), even when disabled', { callerAborted: true, enabled: false }, 'aborted'],
    ['continuation off', { enabled: false }, 'disabled'],
    ['the answer was whole (finish_reason received)', { received: received({ finished: true }) }, 'complete'],
    ['n > 1', { request: { ...request, n: 2 } }, 'n'],
    ['n = 1', { request: { ...request, n: 1 } }, 'continue'],
    ['logprobs', { request: { ...request, logprobs: true } }, 'logprobs'],
    ['top_logprobs', { request: { ...request, top_logprobs: 2 } }, 'logprobs'],
    ['tool-call deltas sent', { received: received({ toolCalls: true }) }, 'tool-calls'],
    ['max continuations reached', { done: 2 }, 'max-continuations'],
    ['deadline passed', { remainingMs: 0 }, 'deadline'],
  ])('%s', (_, over, expected) => {
    expect(planContinuation(input(over))).toBe(expected);
  });
});

describe('canContinue', () => {
  const prefix = { continuation: 'deepseek-prefix' as const, reasoningPrefixModels: new Set(['deepseek-reasoner']) };
  const vllm = { continuation: 'continue-final-message' as const, reasoningPrefixModels: new Set<string>() };
  const none = { continuation: false as const, reasoningPrefixModels: new Set<string>() };
  it.each([
    ['prefix key, content only', prefix, 'deepseek-v4-flash', received(), true],
    ['vLLM key, content only', vllm, 'qwen', received(), true],
    ['key without continuation', none, 'deepseek-v4-flash', received(), false],
    ['prefix key, reasoning, model supports it', prefix, 'deepseek-reasoner', received({ reasoning: 'Let me' }), true],
    ['prefix key, reasoning, model does not', prefix, 'deepseek-v4-flash', received({ reasoning: 'Let me' }), false],
    ['vLLM key, reasoning', vllm, 'deepseek-reasoner', received({ reasoning: 'Let me' }), false],
  ])('%s', (_, key, model, got, expected) => {
    expect(canContinue(key, model, got)).toBe(expected);
  });
});

describe('base URLs', () => {
  it.each([
    ['https://api.deepseek.com', 'deepseek-prefix', 'https://api.deepseek.com/beta'],
    ['https://api.deepseek.com/v1', 'deepseek-prefix', 'https://api.deepseek.com/beta'],
    ['https://api.deepseek.com/beta', 'deepseek-prefix', 'https://api.deepseek.com/beta'],
    ['http://127.0.0.1:9/proxy', 'deepseek-prefix', 'http://127.0.0.1:9/proxy/beta'],
    ['http://127.0.0.1:8000/v1', 'continue-final-message', 'http://127.0.0.1:8000/v1'],
  ] as const)('%s continues (%s) on %s', (baseUrl, mode, expected) => {
    expect(continuationBaseUrl(baseUrl, mode)).toBe(expected);
  });
});

describe('continuationRequest', () => {
  it('deepseek-prefix: the text so far as a last assistant prefix message, reasoning too', () => {
    const body = continuationRequest(request, received({ content: 'Hel', reasoning: 'Think' }), 'deepseek-prefix', 4);
    expect(body.messages).toEqual([
      ...request.messages,
      { role: 'assistant', content: 'Hel', prefix: true, reasoning_content: 'Think' },
    ]);
    expect(body).not.toHaveProperty('continue_final_message');
    expect(request.messages).toHaveLength(1);
  });

  it('deepseek-prefix inside reasoning: empty content, the reasoning so far', () => {
    const body = continuationRequest(request, received({ content: '', reasoning: 'Thi' }), 'deepseek-prefix', 4);
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: '', prefix: true, reasoning_content: 'Thi' });
  });

  it('continue-final-message: vLLM/SGLang flags, no prefix field', () => {
    const body = continuationRequest(request, received(), 'continue-final-message', 4);
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Hel' });
    expect(body).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
  });

  it("merges the caller's own prefix message with the text so far", () => {
    const own = {
      ...request,
      messages: [...request.messages, { role: 'assistant', content: '```py\n', prefix: true }],
    };
    const body = continuationRequest(own, received({ content: 'print(' }), 'deepseek-prefix', 4);
    expect(body.messages).toEqual([...request.messages, { role: 'assistant', content: '```py\nprint(', prefix: true }]);
  });

  it.each([
    ['max_tokens', { max_tokens: 100 }, 'x'.repeat(40), { max_tokens: 90 }],
    ['max_completion_tokens', { max_completion_tokens: 100 }, 'x'.repeat(41), { max_completion_tokens: 89 }],
    ['a spent budget asks for 1', { max_tokens: 5 }, 'x'.repeat(400), { max_tokens: 1 }],
  ])('asks only for what is left of %s', (_, budget, content, expected) => {
    expect(continuationRequest({ ...request, ...budget }, received({ content }), 'deepseek-prefix', 4)).toMatchObject(
      expected,
    );
  });

  it('sets no budget when the caller set none', () => {
    expect(continuationRequest(request, received(), 'deepseek-prefix', 4)).not.toHaveProperty('max_tokens');
  });
});

describe('brokenCallUsage', () => {
  it('estimates the prompt sent and the text produced, all prompt tokens as misses', () => {
    const sent = { ...request, messages: [{ role: 'user', content: 'x'.repeat(9) }] };
    expect(brokenCallUsage(sent, { content: 'y'.repeat(5), reasoning: 'z'.repeat(8) }, 4)).toEqual({
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
      prompt_cache_hit_tokens: 0,
      prompt_cache_miss_tokens: 3,
      completion_tokens_details: { reasoning_tokens: 2 },
    });
  });
});
