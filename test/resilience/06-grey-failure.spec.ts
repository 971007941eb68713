import type { StrategyName } from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { startScenario } from './support/harness.js';
import { report } from './support/report.js';
import { type TrafficResult, driveChat, shareOf, successRate } from './support/traffic.js';

// Anchors scenario 6: grey failure, one key 10x slower than the others and no errors at all.
// Latencies are large next to event-loop hiccups (GC, a loaded CI box), and few calls are in flight at once (p2c's
// cost multiplies latency by in-flight calls), so a hiccup on the fast keys cannot make the slow key look cheaper.
const KEYS = 4;
const CONCURRENCY = 2;
const cast: MockScenario = {
  defaults: { latencyMs: 20 },
  keys: [
    { key: 'sk-slow-0000000000001', name: 'slow', latencyMs: 200 },
    { key: 'sk-fast-0000000000001', name: 'fast-1' },
    { key: 'sk-fast-0000000000002', name: 'fast-2' },
    { key: 'sk-fast-0000000000003', name: 'fast-3' },
  ],
};

/** Warms a pool up (every key measured), then measures who served the next `requests`. */
async function measure(
  strategy: StrategyName,
  requests: number,
): Promise<{ result: TrafficResult; slowShare: number }> {
  const s = await startScenario({ mock: cast, pool: { strategy } });
  try {
    await driveChat(s.pool, 20, CONCURRENCY);
    s.mock.resetCounters();
    const result = await driveChat(s.pool, requests, CONCURRENCY);
    return { result, slowShare: shareOf(s.chatRequestsByKey(), 'slow') };
  } finally {
    await s.close();
  }
}

describe('scenario 6: grey failure, one key 10x slower', () => {
  let p2c: Awaited<ReturnType<typeof measure>>;
  let roundRobin: Awaited<ReturnType<typeof measure>>;

  beforeAll(async () => {
    p2c = await measure('p2c-ewma', 160);
    roundRobin = await measure('round-robin', 40);
    report('scenario 6', {
      p2cSuccessRate: successRate(p2c.result),
      p2cSlowShare: p2c.slowShare,
      roundRobinSuccessRate: successRate(roundRobin.result),
      roundRobinSlowShare: roundRobin.slowShare,
    });
  });

  it('gives the slow key a small share with p2c-ewma once warmed up, and fails nothing', () => {
    expect(successRate(p2c.result)).toBe(1);
    expect(p2c.slowShare).toBeLessThan(0.1);
  });

  it('gives the slow key its 1/n share with round robin, for comparison', () => {
    expect(successRate(roundRobin.result)).toBe(1);
    expect(roundRobin.slowShare).toBeGreaterThanOrEqual(1 / KEYS - 0.05);
    expect(roundRobin.slowShare).toBeLessThanOrEqual(1 / KEYS + 0.05);
  });

  it('sends the slow key at least 2.5x less traffic with p2c-ewma than with round robin', () => {
    expect(roundRobin.slowShare / Math.max(p2c.slowShare, 1 / 160)).toBeGreaterThanOrEqual(2.5);
  });
});
