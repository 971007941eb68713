import type { StrategyName } from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { scenarios } from './support/harness.js';
import { report } from './support/report.js';
import { driveChat, shareOf, successRate } from './support/traffic.js';

// Anchors scenario 6: grey failure, one key 10x slower than the others and no errors at all.
const KEYS = 4;
const cast: MockScenario = {
  defaults: { latencyMs: 10 },
  keys: [
    { key: 'sk-slow-0000000000001', name: 'slow', latencyMs: 100 },
    { key: 'sk-fast-0000000000001', name: 'fast-1' },
    { key: 'sk-fast-0000000000002', name: 'fast-2' },
    { key: 'sk-fast-0000000000003', name: 'fast-3' },
  ],
};

describe('scenario 6: grey failure, one key 10x slower', () => {
  const start = scenarios();

  /** Warms the pool up (every key measured), then measures who served the next `requests`. */
  async function measure(strategy: StrategyName, requests: number) {
    const s = await start({ mock: cast, pool: { strategy } });
    await driveChat(s.pool, 40, 4);
    s.mock.resetCounters();
    const result = await driveChat(s.pool, requests, 4);
    return { result, slowShare: shareOf(s.chatRequestsByKey(), 'slow') };
  }

  it('gives the slow key a small share with p2c-ewma once warmed up', async () => {
    const { result, slowShare } = await measure('p2c-ewma', 160);

    expect(successRate(result)).toBe(1);
    expect(slowShare).toBeLessThan(0.1);
    report('scenario 6 p2c-ewma', { successRate: successRate(result), slowShare });
  });

  it('gives the slow key its 1/n share with round robin, for comparison', async () => {
    const { result, slowShare } = await measure('round-robin', 80);

    expect(successRate(result)).toBe(1);
    expect(slowShare).toBeGreaterThanOrEqual(1 / KEYS - 0.05);
    expect(slowShare).toBeLessThanOrEqual(1 / KEYS + 0.05);
    report('scenario 6 round-robin', { successRate: successRate(result), slowShare });
  });

  it('sends the slow key at least 2.5x less traffic with p2c-ewma than with round robin', async () => {
    const p2c = await measure('p2c-ewma', 160);
    const roundRobin = await measure('round-robin', 80);

    expect(roundRobin.slowShare / Math.max(p2c.slowShare, 1 / 160)).toBeGreaterThanOrEqual(2.5);
  });
});
