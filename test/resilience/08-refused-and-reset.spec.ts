import { type MockScenario, refusedPort } from 'nestjs-deepseek-pool-mock';
import { type Scenario, scenarios } from './support/harness.js';
import { report } from './support/report.js';
import { attemptsPerRequest, driveChat, readStream, successRate } from './support/traffic.js';

// Anchors scenario 8: connection refused (nothing listens) and connection reset (the mock resets the socket).
// Timeouts are long on purpose: failing over must not wait for any of them.
const TIMEOUTS = { firstByteMs: 10_000, firstContentMs: 10_000, idleMs: 10_000, attemptMs: 10_000, requestMs: 20_000 };

const cast: MockScenario = {
  defaults: { latencyMs: 2 },
  keys: [
    { key: 'sk-reset-000000000001', name: 'reset', reset: true },
    { key: 'sk-healthy-0000000001', name: 'healthy' },
  ],
};

describe('scenario 8: connection refused and connection reset', () => {
  const start = scenarios();

  /** `refused` (a port where nothing listens) and `reset` come first (priority 0); `healthy` is the fallback. */
  async function brokenFirst(): Promise<Scenario> {
    const port = await refusedPort();
    return start({
      mock: cast,
      pool: { timeouts: TIMEOUTS },
      keys: { reset: { priority: 0 }, healthy: { priority: 1 } },
      extraKeys: [{ id: 'refused', apiKey: 'sk-refused-0000000001', baseUrl: `http://127.0.0.1:${port}`, priority: 0 }],
    });
  }

  it('fails over at once from a refused and a reset connection: network failures, never timeouts', async () => {
    const s = await brokenFirst();

    const result = await driveChat(s.pool, 1, 1);

    expect(result.metas).toHaveLength(1);
    const [meta] = result.metas;
    expect(meta).toMatchObject({ keyId: 'healthy', attempts: 3 });
    expect(meta.trace.slice(0, 2).map((t) => t.outcome)).toEqual(['network', 'network']);
    expect(
      meta.trace
        .slice(0, 2)
        .map((t) => t.keyId)
        .sort(),
    ).toEqual(['refused', 'reset']);
    expect(s.keyStats('reset').resets).toBe(1);
  });

  it('serves every request of a batch and stops trying the broken keys once their breakers open', async () => {
    const s = await brokenFirst();

    const result = await driveChat(s.pool, 20, 1);

    expect(successRate(result)).toBe(1);
    for (const key of ['refused', 'reset']) {
      expect(s.timeline.events('breaker.open', key)).not.toEqual([]);
      expect(s.timeline.requestsWhileOpen(key)).toEqual([]);
    }
    report('scenario 8 batch', {
      successRate: successRate(result),
      attemptsPerRequest: attemptsPerRequest(result),
      resets: s.keyStats('reset').resets,
      refused: s.timeline.requestsTo('refused').length,
    });
  });

  it('fails a stream over to another key when the connection is reset before the first token', async () => {
    const s = await brokenFirst();

    const read = await readStream(s.pool);

    expect(read.meta).toMatchObject({ keyId: 'healthy', attempts: 3 });
    expect(read.meta.trace.slice(0, 2).map((t) => t.outcome)).toEqual(['network', 'network']);
    expect(read.text).toBe('Mock answer from healthy to: Question number 0');
  });
});
