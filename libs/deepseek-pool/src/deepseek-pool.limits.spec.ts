import { jest } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import type { ChatCompletionRequest } from './chat.types.js';
import { NoAvailableKeyError } from './deepseek-pool.errors.js';
import { estimateTokens } from './limits/token-estimate.js';
import type { DeepSeekPoolOptions } from './deepseek-pool.options.js';
import type { DeepSeekPoolService } from './deepseek-pool.service.js';
import { type DeepSeekPool, createDeepSeekPool } from './create-deepseek-pool.js';
import type { DeepSeekPoolAdmin } from './deepseek-pool.admin.js';
import type { ThresholdCrossing } from './limits/quota-thresholds.js';
import { MemoryStateStore } from './state/memory-state-store.js';
import { ScriptedTransport, completion } from './testing/scripted-transport.js';
import { bytesOf } from './transport/byte-stream.fixture.js';

const A = 'sk-limited0000000000a1';
const B = 'sk-limited0000000000b2';
const C = 'sk-limited0000000000c3';
/** Noon UTC, on a bucket boundary. */
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'x'.repeat(40) }], max_tokens: 90 };

describe('DeepSeekPoolService rate and quota limits (scripted upstream, fake timers)', () => {
  let transport: ScriptedTransport;
  let store: MemoryStateStore;
  let pools: DeepSeekPool[];

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    transport = new ScriptedTransport()
      .script(A, { status: 200, body: completion() })
      .script(B, { status: 200, body: completion() })
      .script(C, { status: 200, body: completion() });
    store = new MemoryStateStore();
    pools = [];
  });

  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    jest.useRealTimers();
  });

  function pool(options: Partial<DeepSeekPoolOptions> & Pick<DeepSeekPoolOptions, 'keys'>): DeepSeekPoolService {
    const created = createDeepSeekPool({
      transport,
      store,
      logger: false,
      rng: mulberry32(7),
      retry: { maxWaitForKeyMs: 0 },
      ...options,
    });
    pools.push(created);
    return created.pool;
  }

  /** The key administration of the last pool built. */
  /** Key A's next answer waits (a 200 completion) until the returned function is called. */
  function holdAnswerOfA(): () => void {
    let release: () => void = () => undefined;
    transport.script(
      A,
      () =>
        new Promise(
          (resolve) =>
            (release = () => resolve({ status: 200, headers: {}, body: bytesOf(JSON.stringify(completion())) })),
        ),
    );
    return () => release();
  }

  function lastAdmin(): DeepSeekPoolAdmin {
    return pools[pools.length - 1].admin;
  }

  it('skips a key over its requests per minute until its window frees', async () => {
    // Arrange
    const service = pool({
      keys: [
        { id: 'a', apiKey: A, limits: { requestsPerMinute: 2 } },
        { id: 'b', apiKey: B, priority: 1 },
      ],
    });

    // Act
    const served = [];
    for (let i = 0; i < 4; i++) served.push((await service.chat(request)).meta.keyId);
    const snapshot = service.snapshot().keys[0];
    await jest.advanceTimersByTimeAsync(65_000);
    served.push((await service.chat(request)).meta.keyId);

    // Assert
    expect(served).toEqual(['a', 'a', 'b', 'b', 'a']);
    expect(snapshot).toMatchObject({ state: 'over-limit', headroom: 0, limitedUntilMs: T0 + 60_000 });
    expect(service.snapshot().keys[1].headroom).toBeUndefined();
  });

  it('a burst of concurrent calls: each call counts before the next one picks, so none goes over a limit', async () => {
    // Arrange
    const service = pool({
      keys: [
        { id: 'a', apiKey: A, limits: { requestsPerMinute: 2 } },
        { id: 'b', apiKey: B, priority: 1 },
      ],
    });

    // Act
    const results = await Promise.all(Array.from({ length: 4 }, () => service.chat(request)));

    // Assert
    expect(results.map((result) => result.meta.keyId)).toEqual(['a', 'a', 'b', 'b']);
    expect(transport.callsTo(A)).toBe(2);
  });

  it('fails fast as rate limited, with the time the window frees, when every key is over a limit', async () => {
    // Arrange
    const service = pool({ keys: [{ id: 'a', apiKey: A }], accounts: { a: { limits: { requestsPerMinute: 1 } } } });
    await service.chat(request);
    await jest.advanceTimersByTimeAsync(10_000);

    // Act
    const error = await service.chat(request).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(NoAvailableKeyError);
    expect(error).toMatchObject({ rateLimited: true, retryAfterMs: 50_000 });
    expect(transport.calls).toHaveLength(1);
  });

  it('counts the estimate before the call and the usage upstream reports after it', async () => {
    // Arrange
    const release = holdAnswerOfA();
    const service = pool({ keys: [{ id: 'a', apiKey: A, limits: { tokensPerDay: 1_000_000 } }] });

    // Act
    const call = service.chat(request);
    await jest.advanceTimersByTimeAsync(0);
    const during = store.usage('key:a').totals(Date.now()).tokensPerDay;
    release();
    await call;
    const after = store.usage('key:a').totals(Date.now()).tokensPerDay;

    // Assert: 40 chars / 4 + max_tokens 90, then the 15 total tokens of the completion.
    expect([during, after]).toEqual([100, 15]);
  });

  it.each<[string, DeepSeekPoolOptions['tokenEstimate'], ChatCompletionRequest, number]>([
    ['the defaults: 4 chars per token, max_tokens', undefined, request, 100],
    ['charsPerToken', { charsPerToken: 2 }, request, 110],
    ['completionTokens without max_tokens', { completionTokens: 50 }, { ...request, max_tokens: undefined }, 60],
  ])(
    'exposes its token estimate (%s): estimateTokens with it counts what the limits count',
    async (_name, option, body, tokens) => {
      // Arrange
      const release = holdAnswerOfA();
      const service = pool({
        keys: [{ id: 'a', apiKey: A, limits: { tokensPerDay: 1_000_000 } }],
        tokenEstimate: option,
      });

      // Act
      const call = service.chat(body);
      await jest.advanceTimersByTimeAsync(0);
      const counted = store.usage('key:a').totals(Date.now()).tokensPerDay;
      release();
      await call;

      // Assert
      expect([estimateTokens(body, service.tokenEstimate), counted]).toEqual([tokens, tokens]);
    },
  );

  it('refunds the tokens of a failed attempt and counts the retry elsewhere', async () => {
    // Arrange
    transport.script(A, { status: 503, body: { error: { message: 'Server Overloaded' } } });
    const service = pool({
      keys: [
        { id: 'a', apiKey: A, account: 'x' },
        { id: 'b', apiKey: B, account: 'x', priority: 1 },
      ],
      accounts: { x: { limits: { tokensPerDay: 1_000 } } },
    });

    // Act
    await service.chat(request);

    // Assert
    expect(store.usage('account:x').totals(Date.now())).toEqual({
      requestsPerMinute: 2,
      tokensPerMinute: 15,
      tokensPerDay: 15,
    });
  });

  it('emits quota.threshold at 70, 85 and 95% of a budget', async () => {
    // Arrange
    const service = pool({ keys: [{ id: 'a', apiKey: A, limits: { tokensPerDay: 100 } }] });
    const crossings: ThresholdCrossing[] = [];
    service.events.on('quota.threshold', (crossing) => crossings.push(crossing));

    // Act: 15 tokens per call.
    for (let i = 0; i < 7; i++) await service.chat(request).catch(() => undefined);

    // Assert
    expect(crossings.map((c) => [c.scope, c.percent])).toEqual([
      ['key:a', 70],
      ['key:a', 85],
      ['key:a', 95],
    ]);
  });

  it('quota-aware routing sends to the key with the most budget left', async () => {
    // Arrange
    const service = pool({
      strategy: 'quota-aware',
      keys: [
        { id: 'a', apiKey: A, limits: { tokensPerDay: 100 } },
        { id: 'b', apiKey: B, limits: { tokensPerDay: 1_000 } },
      ],
    });

    // Act: each call costs 15 tokens, 15% of a's budget and 1.5% of b's.
    const served: string[] = [];
    for (let i = 0; i < 20; i++) served.push((await service.chat(request)).meta.keyId);

    // Assert: a is picked only while its share left beats b's.
    const aCalls = served.filter((id) => id === 'a').length;
    expect(aCalls).toBeLessThanOrEqual(3);
    expect(store.usage('key:a').totals(Date.now()).tokensPerDay).toBeLessThanOrEqual(100);
  });

  it("sticks a user's calls to one account's keys and falls back when that account is out", async () => {
    // Arrange
    const service = pool({
      affinity: 'user',
      keys: [
        { id: 'x1', apiKey: A, account: 'x' },
        { id: 'y1', apiKey: B, account: 'y' },
        { id: 'z1', apiKey: C, account: 'z' },
      ],
    });
    const ask = (user: string) => service.chat({ ...request, user }).then((r) => r.meta.keyId);

    // Act
    const first = await ask('alice');
    const again = await Promise.all([ask('alice'), ask('alice'), ask('alice')]);
    lastAdmin().disableKey(first);
    const fallback = [await ask('alice'), await ask('alice')];
    const perCall = await service.chat(request, { affinityKey: 'alice' }).then((r) => r.meta.keyId);

    // Assert
    expect(again).toEqual([first, first, first]);
    expect(fallback[0]).not.toBe(first);
    expect(fallback[1]).toBe(fallback[0]);
    expect(perCall).toBe(fallback[0]);
  });
});
