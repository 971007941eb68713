import { AttemptsExhaustedError, NoAvailableKeyError } from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { must } from '../support/must.js';
import { SCALED_POOL_OPTIONS, type Scenario, type ScenarioSpec, scenarios } from './support/harness.js';
import { report } from './support/report.js';
import { type TrafficResult, driveChat } from './support/traffic.js';

// Anchors scenario 9: every key degraded. Fail fast with a typed error that says when to come back, and keep
// upstream attempts <= 1.2x the offered requests (retry budget + breakers).
const OFFERED = 60;
const CONCURRENCY = 6;
const MAX_AMPLIFICATION = 1.2;
const { resetTimeoutMs } = SCALED_POOL_OPTIONS.breaker;
const COOLDOWN = { baseMs: 200, maxMs: 2_000 };

const cast: MockScenario = {
  defaults: { latencyMs: 2 },
  keys: [
    { key: 'sk-down-0000000000001', name: 'down-1' },
    { key: 'sk-down-0000000000002', name: 'down-2' },
    { key: 'sk-down-0000000000003', name: 'down-3' },
  ],
};

describe('scenario 9: all keys degraded', () => {
  const start = scenarios();

  async function allAnswering(status: 429 | 503, pool: ScenarioSpec['pool'] = {}): Promise<Scenario> {
    const s = await start({ mock: cast, pool: { cooldown: COOLDOWN, ...pool } });
    for (const key of cast.keys) s.mock.setKey(must(key.name, 'a key name of the cast'), { status });
    return s;
  }

  function upstreamAttempts(s: Scenario): number {
    return s.mock.stats().totalRequests.chat;
  }

  function typedFailures(result: TrafficResult) {
    return {
      noKey: result.failures.filter((e): e is NoAvailableKeyError => e instanceof NoAvailableKeyError),
      exhausted: result.failures.filter((e): e is AttemptsExhaustedError => e instanceof AttemptsExhaustedError),
    };
  }

  it('fails fast with typed errors once every breaker is open, saying when to come back', async () => {
    const s = await allAnswering(503);

    const result = await driveChat(s.pool, OFFERED, CONCURRENCY);

    const { noKey, exhausted } = typedFailures(result);
    expect(result.metas).toEqual([]);
    expect(noKey.length + exhausted.length).toBe(OFFERED);
    expect(noKey.length).toBeGreaterThan(0);
    expect(noKey.filter((e) => e.attempts.length === 0).length).toBeGreaterThan(OFFERED / 2);
    for (const error of noKey) {
      expect(error.rateLimited).toBe(false);
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(resetTimeoutMs);
    }
    report('scenario 9 all 503', {
      offered: OFFERED,
      upstream: upstreamAttempts(s),
      noAvailableKey: noKey.length,
      attemptsExhausted: exhausted.length,
    });
  });

  it('keeps upstream attempts within 1.2x the offered requests when every key answers 503', async () => {
    const s = await allAnswering(503);

    await driveChat(s.pool, OFFERED, CONCURRENCY);

    expect(upstreamAttempts(s)).toBeLessThanOrEqual(MAX_AMPLIFICATION * OFFERED);
  });

  it('tells the caller the keys are rate limited and when the first cooldown ends, when every key answers 429', async () => {
    const s = await allAnswering(429);

    const result = await driveChat(s.pool, OFFERED, CONCURRENCY);

    const { noKey, exhausted } = typedFailures(result);
    expect(noKey.length + exhausted.length).toBe(OFFERED);
    expect(noKey.length).toBeGreaterThan(0);
    for (const error of noKey) {
      expect(error.rateLimited).toBe(true);
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(COOLDOWN.maxMs);
    }
    expect(upstreamAttempts(s)).toBeLessThanOrEqual(MAX_AMPLIFICATION * OFFERED);
    report('scenario 9 all 429', {
      offered: OFFERED,
      upstream: upstreamAttempts(s),
      noAvailableKey: noKey.length,
      attemptsExhausted: exhausted.length,
    });
  });

  it('opens each breaker at the minimum volume of failures even when a burst of calls is in flight', async () => {
    const s = await allAnswering(503);

    await driveChat(s.pool, OFFERED, OFFERED);

    const failuresAtOpen = cast.keys.map((k) => s.timeline.events('breaker.open', k.name)[0]?.failures);
    report('scenario 9 all 503, all at once', { offered: OFFERED, upstream: upstreamAttempts(s), failuresAtOpen });
    // opossum divides failures by calls *started* (in flight included): a burst delays the opening.
    expect(failuresAtOpen).toEqual(cast.keys.map(() => SCALED_POOL_OPTIONS.breaker.volumeThreshold));
  });

  it('caps retries with the retry budget alone when the breakers cannot open', async () => {
    const s = await allAnswering(503, {
      breaker: { ...SCALED_POOL_OPTIONS.breaker, volumeThreshold: 1_000 },
      retry: { budget: { ratio: 0.2, minRetriesPerSecond: 0, windowMs: 10_000 } },
    });

    const result = await driveChat(s.pool, OFFERED, CONCURRENCY);

    const { exhausted } = typedFailures(result);
    expect(exhausted).toHaveLength(OFFERED);
    expect(exhausted.some((e) => e.message.includes('retry budget spent'))).toBe(true);
    expect(upstreamAttempts(s)).toBeLessThanOrEqual(MAX_AMPLIFICATION * OFFERED);
    report('scenario 9 budget only', { offered: OFFERED, upstream: upstreamAttempts(s) });
  });
});
