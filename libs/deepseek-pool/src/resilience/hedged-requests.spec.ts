import { jest } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import type { DeepSeekPoolOptions } from '../deepseek-pool.options.js';
import type { DeepSeekPoolService } from '../deepseek-pool.service.js';
import { type DeepSeekPool, createDeepSeekPool } from '../create-deepseek-pool.js';
import type { HedgeMetric, HedgeWinMetric, PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import { DONE, ROLE, type SseStep, chunkEvent, finalEvent, sseReply } from '../streaming/sse-reply.fixture.js';
import { ScriptedTransport, completion } from '../testing/scripted-transport.js';
import { useFakeTimersWithRealImmediates } from '../fake-timers.fixture.js';

const A1 = 'sk-hedge-a1-000000000001';
const A2 = 'sk-hedge-a2-000000000002';
const B1 = 'sk-hedge-b1-000000000003';
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };
/** Configured models label metrics by name from the first call. */
const MODELS = ['deepseek-v4-flash'];

/** A non-streaming answer after `ms`, or keep-alive blank lines then a hang ('stall'). */
function answerAfter(ms: number): SseStep[] {
  return [{ waitMs: ms }, JSON.stringify(completion(`after ${ms}`))];
}
const STALL: SseStep[] = ['\n', { waitMs: 1_000 }, '\n', 'hang'];

describe('hedged requests (scripted upstream, fake timers)', () => {
  let transport: ScriptedTransport;
  let pools: DeepSeekPool[];
  let hedges: HedgeMetric[];
  let wins: HedgeWinMetric[];
  let metrics: PoolMetricsRecorder;

  beforeEach(() => {
    useFakeTimersWithRealImmediates();
    transport = new ScriptedTransport();
    pools = [];
    hedges = [];
    wins = [];
    const ignore = (): void => undefined;
    metrics = {
      attempt: ignore,
      request: ignore,
      retry: ignore,
      usage: ignore,
      degraded: ignore,
      hedge: (m) => hedges.push(m),
      hedgeWin: (m) => wins.push(m),
    };
  });

  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    jest.useRealTimers();
  });

  function pool(options: Partial<DeepSeekPoolOptions> = {}): DeepSeekPoolService {
    const created = createDeepSeekPool({
      keys: [
        { id: 'a1', apiKey: A1, account: 'A', models: MODELS },
        { id: 'b1', apiKey: B1, account: 'B', models: MODELS },
      ],
      strategy: 'round-robin',
      transport,
      metrics,
      logger: false,
      health: { probe: false, validateOnStart: false },
      rng: mulberry32(7),
      hedging: { fixedMs: 100 },
      ...options,
    });
    pools.push(created);
    return created.pool;
  }

  it('sends a hedge to another key once the delay passes with only keep-alives, and the first answer wins', async () => {
    transport.script(A1, sseReply(STALL));
    transport.script(B1, sseReply(answerAfter(20)));
    const service = pool();
    const events: unknown[] = [];
    service.events.on('hedge', (e) => events.push(['hedge', e]));
    service.events.on('hedge.won', (e) => events.push(['won', e]));

    const result = service.chat(request);
    await jest.advanceTimersByTimeAsync(99);
    expect(transport.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(20);

    const { data, meta } = await result;
    expect(data.choices[0].message.content).toBe('after 20');
    expect(meta.keyId).toBe('b1');
    expect(meta.trace).toEqual([
      { keyId: 'a1', outcome: 'lost', latencyMs: 120 },
      { keyId: 'b1', outcome: 'success', latencyMs: 20, hedge: true },
    ]);
    expect(events).toEqual([
      ['hedge', { fromKeyId: 'a1', keyId: 'b1', afterMs: 100 }],
      ['won', { keyId: 'b1', loserKeyId: 'a1', winner: 'hedge' }],
    ]);
    expect(hedges).toEqual([{ model: 'deepseek-v4-flash', keyId: 'b1', stream: false }]);
    expect(wins).toEqual([{ model: 'deepseek-v4-flash', winner: 'hedge', stream: false }]);
  });

  it('aborts the loser at once without counting it against its key, but penalizes its latency', async () => {
    const seen = { aborted: false };
    transport.script(A1, sseReply(STALL, seen));
    transport.script(B1, sseReply(answerAfter(20)));
    const service = pool();

    const result = service.chat(request);
    await jest.advanceTimersByTimeAsync(120);
    await result;

    expect(seen.aborted).toBe(true);
    const a1 = service.keySnapshot('a1');
    expect(a1?.inFlight).toBe(0);
    expect(a1?.breaker).toBe('closed');
    expect(a1?.latencyEwmaMs).toBeGreaterThanOrEqual(1_000);
  });

  it('keeps the primary answer when it comes first and records the late hedge as lost without a penalty', async () => {
    transport.script(A1, sseReply(answerAfter(130)));
    transport.script(B1, sseReply(answerAfter(100)));
    const service = pool();

    const result = service.chat(request);
    await jest.advanceTimersByTimeAsync(130);

    const { meta } = await result;
    expect(meta.keyId).toBe('a1');
    expect(meta.trace).toEqual([
      { keyId: 'b1', outcome: 'lost', latencyMs: 30, hedge: true },
      { keyId: 'a1', outcome: 'success', latencyMs: 130 },
    ]);
    expect(service.keySnapshot('b1')?.latencyEwmaMs).toBe(0);
    expect(wins).toEqual([{ model: 'deepseek-v4-flash', winner: 'primary', stream: false }]);
  });

  it('never costs a call a retry: a failed hedge does not count against maxAttempts, and counts as a retry from its key', async () => {
    const C1 = 'sk-hedge-c1-000000000004';
    const overloaded = { status: 503, body: { error: { message: 'Server Overloaded' } } };
    transport.script(A1, { ...overloaded, until: new Promise((resolve) => setTimeout(resolve, 150)) });
    transport.script(B1, overloaded);
    transport.script(C1, sseReply(answerAfter(20)));
    const keys = [
      { id: 'a1', apiKey: A1, account: 'A' },
      { id: 'b1', apiKey: B1, account: 'B' },
      { id: 'c1', apiKey: C1, account: 'C' },
    ];
    const service = pool({ keys, retry: { maxAttempts: 2 } });
    const retries: string[] = [];
    service.events.on('retry', (e) => retries.push(e.fromKeyId));
    const result = service.chat(request);
    // a1 fails at 150 ms and c1 answers 20 ms after its start; on Node 24 the retry can also wait a backoff step
    // (virtual time: what matters is the trace below, not when)
    await jest.advanceTimersByTimeAsync(5_000);

    const { meta } = await result;
    // One retry per failed attempt, the hedge's included (the call moved on from each).
    expect(retries).toEqual(['b1', 'a1']);
    expect(meta.trace.map((t) => [t.keyId, t.outcome, t.hedge ?? false])).toEqual([
      ['b1', 'http', true],
      ['a1', 'http', false],
      ['c1', 'success', false],
    ]);
  });

  it.each([
    ['per call', {}, { hedge: false }],
    ['per pool', { hedging: false as const }, {}],
  ])('never hedges when turned off %s', async (_, options, callOptions) => {
    transport.script(A1, sseReply(answerAfter(500)));
    transport.script(B1, sseReply(answerAfter(20)));
    const service = pool(options);

    const result = service.chat(request, callOptions);
    await jest.advanceTimersByTimeAsync(500);

    expect((await result).meta.keyId).toBe('a1');
    expect(transport.calls).toHaveLength(1);
  });

  it('prefers a key of another account, since DeepSeek counts concurrency per account', async () => {
    transport.script(A1, sseReply(STALL));
    transport.script(A2, sseReply(answerAfter(20)));
    transport.script(B1, sseReply(answerAfter(20)));
    const keys = [
      { id: 'a1', apiKey: A1, account: 'A' },
      { id: 'a2', apiKey: A2, account: 'A' },
      { id: 'b1', apiKey: B1, account: 'B' },
    ];

    const result = pool({ keys }).chat(request);
    await jest.advanceTimersByTimeAsync(120);

    // Round-robin would take a2 next: the hedge skips it for the other account.
    expect((await result).meta.keyId).toBe('b1');
    expect(transport.callsTo(A2)).toBe(0);
  });

  async function skippedHedge(options: Partial<DeepSeekPoolOptions>, callOptions = {}): Promise<unknown[]> {
    transport.script(A1, sseReply(STALL));
    transport.script(B1, sseReply(answerAfter(20)));
    const service = pool(options);
    const skipped: unknown[] = [];
    service.events.on('hedge.skipped', (e) => skipped.push(e));
    const caller = new AbortController();
    const result = service.chat(request, { signal: caller.signal, ...callOptions }).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(120);
    caller.abort();
    await result;
    expect(transport.calls).toHaveLength(1);
    return skipped;
  }

  it('sends no hedge when the budget is spent', async () => {
    const skipped = await skippedHedge({ hedging: { fixedMs: 100, budget: { ratio: 0, minRetriesPerSecond: 0 } } });
    expect(skipped).toEqual([{ keyId: 'a1', reason: 'budget' }]);
  });

  it('sends no hedge when the deadline comes before a hedge could answer', async () => {
    const skipped = await skippedHedge({}, { timeoutMs: 150 });
    expect(skipped).toEqual([{ keyId: 'a1', reason: 'deadline' }]);
  });

  it("sends no hedge to a key outside the call's priorities", async () => {
    const keys = [
      { id: 'a1', apiKey: A1, account: 'A', models: MODELS },
      { id: 'b1', apiKey: B1, account: 'B', models: MODELS, priority: 1 },
    ];
    const skipped = await skippedHedge({ keys }, { priorities: [0] });
    expect(skipped).toEqual([{ keyId: 'a1', reason: 'no-candidate' }]);
  });

  it('sends no hedge to a key whose account is at its concurrency limit', async () => {
    transport.script(A1, sseReply(answerAfter(10)), sseReply(STALL));
    transport.script(B1, sseReply(answerAfter(1_000)));
    const service = pool({ accounts: { B: { maxConcurrency: 1 } } });
    const skipped: unknown[] = [];
    service.events.on('hedge.skipped', (e) => skipped.push(e));
    const first = service.chat(request, { hedge: false });
    await jest.advanceTimersByTimeAsync(10);
    await first;
    const holdsB = service.chat(request, { hedge: false });
    const caller = new AbortController();
    const stalled = service.chat(request, { signal: caller.signal }).catch((error: unknown) => error);

    await jest.advanceTimersByTimeAsync(120);
    expect(skipped).toEqual([{ keyId: 'a1', reason: 'no-candidate' }]);
    expect(transport.callsTo(B1)).toBe(1);
    caller.abort();
    await stalled;
    await jest.advanceTimersByTimeAsync(1_000);
    await holdsB;
  });

  it('adapts the delay to the p95 of recent answers of the same class', async () => {
    transport.script(A1, ...Array.from({ length: 10 }, () => sseReply(answerAfter(50))), sseReply(STALL));
    transport.script(B1, sseReply(answerAfter(50)));
    const service = pool({ hedging: { minSamples: 20 } });
    for (let i = 0; i < 20; i++) {
      const answer = service.chat(request);
      await jest.advanceTimersByTimeAsync(50);
      await answer;
    }

    const result = service.chat(request);
    await jest.advanceTimersByTimeAsync(49);
    expect(transport.calls).toHaveLength(21);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.calls).toHaveLength(22);
    await jest.advanceTimersByTimeAsync(50);
    expect((await result).meta.keyId).toBe('b1');
  });

  it('hedges a stream that sent no content yet and serves the first content', async () => {
    transport.script(A1, sseReply([ROLE, ': keep-alive\n\n', 'hang']));
    transport.script(B1, sseReply([{ waitMs: 10 }, ROLE, chunkEvent({ content: 'Hello' }), finalEvent(), DONE]));
    const stream = pool().stream(request);
    const meta = stream.meta;

    await jest.advanceTimersByTimeAsync(110);

    await expect(meta).resolves.toMatchObject({
      keyId: 'b1',
      trace: [
        { keyId: 'a1', outcome: 'lost' },
        { keyId: 'b1', outcome: 'success', hedge: true },
      ],
    });
    let text = '';
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (typeof content === 'string') text += content;
    }
    expect(text).toBe('Hello');
    expect(wins).toEqual([{ model: 'deepseek-v4-flash', winner: 'hedge', stream: true }]);
  });
});
