import { createDeepSeekPool } from '../create-deepseek-pool.js';
import { jest } from '@jest/globals';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../chat.types.js';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { RequestAbortedError, StreamInterruptedError } from '../deepseek-pool.errors.js';
import type { DeepSeekPoolOptions } from '../deepseek-pool.options.js';
import { DeepSeekPoolService, type StreamOptions } from '../deepseek-pool.service.js';
import type { KeyOptions } from '../keys/key-config.js';
import type { ContinuationMetric, PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import { ScriptedTransport } from '../testing/scripted-transport.js';
import { DONE, KEEP_ALIVE, ROLE, chunkEvent, finalEvent, sseReply } from './sse-reply.fixture.js';
import { defined } from '../defined.fixture.js';

const A = 'sk-contkeyaaaaaaaaaa01';
const B = 'sk-contkeybbbbbbbbbb02';
const C = 'sk-contkeycccccccccc03';
const request: ChatCompletionRequest = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: 'hi' }],
  stream: true,
};
const continuationUsage = {
  prompt_tokens: 6,
  completion_tokens: 1,
  total_tokens: 7,
  prompt_cache_hit_tokens: 0,
  prompt_cache_miss_tokens: 6,
};
/** The continuation of "Hel": another call's id and model, its own role delta, then "lo". */
const rest = [
  ROLE.replace('"s1"', '"s2"'),
  chunkEvent({ content: 'lo' }, { id: 's2', model: 'other-name' }),
  finalEvent(continuationUsage).replace('"s1"', '"s2"'),
  DONE,
];
const cutAfterHel = [ROLE, chunkEvent({ content: 'Hel' }), 'data: {"id":"s1","choices":[{"delta":{"content":"never'];

const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('stream continuation (scripted upstream, fake timers)', () => {
  let transport: ScriptedTransport;
  let pool: DeepSeekPoolService;
  let close: () => Promise<void>;
  const metrics: ContinuationMetric[] = [];

  function start(
    keys: KeyOptions[] = [
      { id: 'a', apiKey: A },
      { id: 'b', apiKey: B },
    ],
    options: Partial<DeepSeekPoolOptions> = {},
  ) {
    const recorder = {
      attempt() {},
      request() {},
      retry() {},
      usage() {},
      degraded() {},
      continuation: (m: ContinuationMetric) => metrics.push(m),
    } satisfies PoolMetricsRecorder;
    ({ pool, close } = createDeepSeekPool({
      keys,
      strategy: 'round-robin',
      transport,
      logger: false,
      rng: mulberry32(3),
      metrics: recorder,
      timeouts: { firstContentMs: 5_000, idleMs: 2_000 },
      ...options,
    }));
  }

  async function consume(
    body = request,
    options: StreamOptions = {},
  ): Promise<{ chunks: ChatCompletionChunk[]; error: unknown; stream: ReturnType<DeepSeekPoolService['stream']> }> {
    const stream = pool.stream(body, options);
    const chunks: ChatCompletionChunk[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk);
      return { chunks, error: undefined, stream };
    } catch (error) {
      return { chunks, error, stream };
    }
  }

  beforeEach(() => {
    jest.useFakeTimers();
    transport = new ScriptedTransport();
    metrics.length = 0;
  });

  afterEach(async () => {
    await close();
    jest.useRealTimers();
  });

  it('continues a cut stream on another key with chat prefix completion on /beta, and the caller sees one stream', async () => {
    transport.script(A, sseReply(cutAfterHel)).script(B, sseReply(rest));
    start();
    const continued: unknown[] = [];
    pool.events.on('stream.continued', (record) => continued.push(record));

    const { chunks, error, stream } = await consume();

    expect(error).toBeUndefined();
    expect(text(chunks)).toBe('Hello');
    expect(chunks.filter((c) => c.choices[0]?.delta.role)).toHaveLength(1);
    expect(new Set(chunks.map((c) => `${c.id} ${c.model}`))).toEqual(new Set(['s1 deepseek-v4-flash']));
    expect(chunks.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
    // The cut call reported no usage: it is counted with the estimate (prompt "hi": 1 token, "Hel": 1 token).
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: 2,
      total_tokens: 9,
      prompt_cache_hit_tokens: 0,
      prompt_cache_miss_tokens: 7,
    });
    const [first, second] = transport.calls;
    expect(first).toMatchObject({ apiKey: A, baseUrl: 'https://api.deepseek.com', path: '/chat/completions' });
    expect(first.body).not.toHaveProperty('messages.1');
    expect(second).toMatchObject({ apiKey: B, baseUrl: 'https://api.deepseek.com/beta', path: '/chat/completions' });
    expect((second.body as ChatCompletionRequest).messages).toEqual([
      ...request.messages,
      { role: 'assistant', content: 'Hel', prefix: true },
    ]);
    const record = { keyId: 'b', fromKeyId: 'a', offset: 3, reasoningOffset: 0, reason: 'protocol' };
    await expect(stream.meta).resolves.toMatchObject({
      keyId: 'a',
      attempts: 2,
      trace: [
        { keyId: 'a', outcome: 'success' },
        { keyId: 'b', outcome: 'success', continuation: true },
      ],
      continuations: [record],
    });
    expect(continued).toEqual([record]);
    expect(metrics).toEqual([{ model: 'deepseek-v4-flash', fromKeyId: 'a', outcome: 'continued' }]);
    await jest.advanceTimersByTimeAsync(0);
    expect(pool.snapshot().keys.find((k) => k.id === 'a')).toMatchObject({ errorRate: 1, inFlight: 0 });
  });

  it('counts the break against the key that broke: its breaker and its latency', async () => {
    transport.script(A, sseReply(cutAfterHel)).script(B, sseReply(rest));
    start();
    const before = defined(pool.snapshot().keys.find((k) => k.id === 'a')).latencyEwmaMs;
    await consume();
    await jest.advanceTimersByTimeAsync(0);
    const after = defined(pool.snapshot().keys.find((k) => k.id === 'a'));
    expect(after.errorRate).toBe(1);
    expect(after.latencyEwmaMs).toBeGreaterThan(before);
  });

  it.each([
    ['an idle timeout', [ROLE, chunkEvent({ content: 'Hel' }), 'hang'], 'timeout'],
    [
      'an error event mid-stream',
      [ROLE, chunkEvent({ content: 'Hel' }), 'data: {"error":{"message":"Server Error"}}\n\n'],
      'protocol',
    ],
    ['a malformed event', [ROLE, chunkEvent({ content: 'Hel' }), 'data: {not json\n\n'], 'protocol'],
  ])('continues after %s', async (_, broken, reason) => {
    transport.script(A, sseReply(broken)).script(B, sseReply(rest));
    start();
    const consumed = consume();
    await jest.advanceTimersByTimeAsync(2_000);
    const { chunks, error, stream } = await consumed;
    expect(error).toBeUndefined();
    expect(text(chunks)).toBe('Hello');
    await expect(stream.meta).resolves.toMatchObject({ continuations: [{ fromKeyId: 'a', keyId: 'b', reason }] });
  });

  it('continues with continue_final_message on a vLLM key, on its own base URL', async () => {
    transport.script(A, sseReply(cutAfterHel)).script(B, sseReply(rest));
    start([
      { id: 'a', apiKey: A },
      { id: 'b', apiKey: B, baseUrl: 'http://10.0.0.5:8000/v1', continuation: 'continue-final-message' },
    ]);
    const { chunks } = await consume();
    expect(text(chunks)).toBe('Hello');
    expect(transport.calls[1]).toMatchObject({
      baseUrl: 'http://10.0.0.5:8000/v1',
      body: { continue_final_message: true, add_generation_prompt: false },
    });
    expect((transport.calls[1].body as ChatCompletionRequest).messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Hel',
    });
  });

  it('picks only keys that can continue, and another account first', async () => {
    transport.script(A, sseReply(cutAfterHel)).script(C, sseReply(rest));
    start(
      [
        { id: 'a', apiKey: A, account: 'one', priority: 0 },
        { id: 'v', apiKey: 'sk-contkeyvvvvvvvvvv04', baseUrl: 'http://10.0.0.6:8000', priority: 1 },
        { id: 'b', apiKey: B, account: 'one', priority: 1 },
        { id: 'c', apiKey: C, account: 'two', priority: 1 },
      ],
      { strategy: 'least-connections' },
    );
    const { chunks, stream } = await consume();
    expect(text(chunks)).toBe('Hello');
    await expect(stream.meta).resolves.toMatchObject({ continuations: [{ fromKeyId: 'a', keyId: 'c' }] });
    expect(transport.callsTo(B)).toBe(0);
    expect(transport.callsTo('sk-contkeyvvvvvvvvvv04')).toBe(0);
  });

  it.each(['p2c-ewma', 'least-connections', 'round-robin', 'weighted-random'] as const)(
    '%s: a continuation never goes to the key that broke nor to a key that cannot continue',
    async (strategy) => {
      const keys = [A, B, C, 'sk-contkeyvvvvvvvvvv04'];
      const cutUnlessContinuing: Parameters<ScriptedTransport['script']>[1] = (req) =>
        sseReply(continuing(req.body) ? rest : cutAfterHel)(req);
      for (const key of keys) transport.script(key, cutUnlessContinuing);
      start(
        keys.map((apiKey, i) => ({ id: `k${i}`, apiKey, ...(i === 3 ? { baseUrl: 'http://10.0.0.6:8000' } : {}) })),
        // Every first call breaks here: breakers and the retry budget must not end the test early.
        { strategy, retry: { budget: { minRetriesPerSecond: 1_000 } }, breaker: { volumeThreshold: 1_000 } },
      );
      for (let i = 0; i < 12; i++) {
        const { chunks, stream } = await consume();
        expect(text(chunks)).toBe('Hello');
        const [record] = defined((await stream.meta).continuations);
        expect(record.keyId).not.toBe(record.fromKeyId);
        expect(record.keyId).not.toBe('k3');
      }
      expect(
        transport.calls.filter((c) => c.apiKey === keys[3] && (c.body as ChatCompletionRequest).messages.length > 1),
      ).toEqual([]);
    },
  );

  it('fails over silently when a continuation attempt fails before content, within the attempts', async () => {
    transport
      .script(A, sseReply(cutAfterHel))
      .script(B, { status: 503, body: { error: { message: 'busy' } } })
      .script(C, sseReply(rest));
    start([
      { id: 'a', apiKey: A },
      { id: 'b', apiKey: B },
      { id: 'c', apiKey: C },
    ]);
    const { chunks, stream } = await consume();
    expect(text(chunks)).toBe('Hello');
    const meta = await stream.meta;
    expect(
      meta.trace
        .filter((r) => r.continuation)
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['http', 'success']);
  });

  it('continues at most continuation.maxAttempts times', async () => {
    const cutAgain = [ROLE, chunkEvent({ content: 'l' }), 'data: {"id'];
    transport.script(A, sseReply(cutAfterHel)).script(B, sseReply(cutAgain)).script(C, sseReply(cutAgain));
    start(
      [
        { id: 'a', apiKey: A },
        { id: 'b', apiKey: B },
        { id: 'c', apiKey: C },
      ],
      { continuation: { maxAttempts: 2 } },
    );
    const { chunks, error, stream } = await consume();
    expect(text(chunks)).toBe('Helll');
    expect(error).toMatchObject({ name: 'StreamInterruptedError', notContinued: 'max-continuations' });
    expect((await stream.meta).continuations).toHaveLength(2);
    expect(transport.calls).toHaveLength(3);
    // The second continuation's prefix is everything received so far.
    expect((transport.calls[2].body as ChatCompletionRequest).messages.at(-1)).toMatchObject({
      content: 'Hell',
      prefix: true,
    });
  });

  it('continues inside reasoning only on a key whose model takes a reasoning prefix', async () => {
    const thinking = [ROLE, chunkEvent({ content: null, reasoning_content: 'Let me' }), 'data: {"id'];
    transport
      .script(A, sseReply(thinking))
      .script(
        C,
        sseReply([
          ROLE,
          chunkEvent({ content: null, reasoning_content: ' think.' }),
          chunkEvent({ content: 'Hi' }),
          finalEvent(),
          DONE,
        ]),
      );
    start([
      { id: 'a', apiKey: A, priority: 0 },
      { id: 'b', apiKey: B, priority: 0, reasoningPrefixModels: [] },
      { id: 'c', apiKey: C, priority: 1, modelMap: { 'deepseek-v4-flash': 'deepseek-reasoner' } },
    ]);
    const { chunks } = await consume();
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content).filter((r) => typeof r === 'string');
    expect(reasoning.join('')).toBe('Let me think.');
    expect(text(chunks)).toBe('Hi');
    expect(transport.callsTo(B)).toBe(0);
    expect((transport.calls[1].body as ChatCompletionRequest).messages.at(-1)).toEqual({
      role: 'assistant',
      content: '',
      prefix: true,
      reasoning_content: 'Let me',
    });
  });

  it('ends with a StreamInterruptedError when no key can continue (none left: never a silent end)', async () => {
    transport.script(A, sseReply(cutAfterHel));
    start([
      { id: 'a', apiKey: A },
      { id: 'b', apiKey: B, continuation: false },
    ]);
    const { error } = await consume();
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error).toMatchObject({ keyId: 'a', notContinued: 'no-capable-key' });
    expect(transport.callsTo(B)).toBe(0);
    expect(metrics).toEqual([{ model: 'deepseek-v4-flash', fromKeyId: 'a', outcome: 'no-capable-key' }]);
  });

  it('ends with a StreamInterruptedError when the continuation fails too', async () => {
    transport.script(A, sseReply(cutAfterHel)).script(B, { status: 500, body: { error: { message: 'down' } } });
    start(undefined, { retry: { maxAttempts: 1 } });
    const { error } = await consume();
    expect(error).toMatchObject({ name: 'StreamInterruptedError', keyId: 'a', notContinued: 'continuation-failed' });
    expect((error as StreamInterruptedError).attempts).toEqual([
      expect.objectContaining({ keyId: 'a' }),
      expect.objectContaining({ keyId: 'b', outcome: 'http', continuation: true }),
    ]);
  });

  it.each([
    ['n > 1', { ...request, n: 2 }, [ROLE, chunkEvent({ content: 'Hel' })], 'n'],
    ['logprobs', { ...request, logprobs: true }, [ROLE, chunkEvent({ content: 'Hel' })], 'logprobs'],
    [
      'tool-call deltas sent',
      request,
      [
        ROLE,
        chunkEvent({
          tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a' } }],
        }),
      ],
      'tool-calls',
    ],
  ])('never continues %s: explicit error', async (_, body, broken, reason) => {
    transport.script(A, sseReply(broken)).script(B, sseReply(rest));
    start();
    const { error } = await consume(body);
    expect(error).toMatchObject({ name: 'StreamInterruptedError', notContinued: reason });
    expect(transport.callsTo(B)).toBe(0);
  });

  it('never continues for a caller that aborted, and does not blame the key', async () => {
    transport.script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' }), 'hang'])).script(B, sseReply(rest));
    start();
    const controller = new AbortController();
    const iterator = pool.stream(request, { signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const failure = iterator.next().catch((e: unknown) => e);
    controller.abort();
    expect(await failure).toBeInstanceOf(RequestAbortedError);
    await jest.advanceTimersByTimeAsync(0);
    expect(transport.callsTo(B)).toBe(0);
    expect(pool.snapshot().keys.find((k) => k.id === 'a')).toMatchObject({ errorRate: 0, inFlight: 0 });
  });

  it('ends cleanly when only [DONE] was missing: the answer was whole', async () => {
    transport
      .script(A, sseReply([ROLE, chunkEvent({ content: 'Hello' }), finalEvent(), KEEP_ALIVE]))
      .script(B, sseReply(rest));
    start();
    const { chunks, error } = await consume();
    expect(error).toBeUndefined();
    expect(text(chunks)).toBe('Hello');
    expect(transport.callsTo(B)).toBe(0);
  });

  it('within the deadline: a stream cut by the call deadline is not continued', async () => {
    transport
      .script(A, sseReply([ROLE, chunkEvent({ content: 'Hel' }), { waitMs: 1_500 }, 'data: {"id']))
      .script(B, sseReply(rest));
    start();
    const consumed = consume(request, { timeoutMs: 1_000 });
    await jest.advanceTimersByTimeAsync(1_500);
    const { error } = await consumed;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(transport.callsTo(B)).toBe(0);
  });
});

/** Whether a request body continues an answer (it carries the answer so far after the caller's message). */
function continuing(body: string | undefined): boolean {
  return (JSON.parse(defined(body, 'the request body')) as ChatCompletionRequest).messages.length > 1;
}
