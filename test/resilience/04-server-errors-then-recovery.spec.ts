import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { must } from '../support/must.js';
import { SCALED_POOL_OPTIONS, type Scenario, scenarios } from './support/harness.js';
import { report } from './support/report.js';
import {
  attemptsPerRequest,
  chatRequest,
  driveChat,
  driveUntil,
  readStream,
  servedBy,
  shareOf,
  successRate,
} from './support/traffic.js';

// Anchors scenario 4: one key answers 500/503 for a window, then recovers.
const { volumeThreshold, halfOpenMaxTrials, halfOpenSuccessesToClose } = SCALED_POOL_OPTIONS.breaker;

const cast: MockScenario = {
  defaults: { latencyMs: 2 },
  keys: [
    { key: 'sk-flaky-000000000001', name: 'flaky' },
    { key: 'sk-healthy-0000000001', name: 'healthy-1' },
    { key: 'sk-healthy-0000000002', name: 'healthy-2' },
  ],
};

describe('scenario 4: one key answers 500/503 for a while, then recovers', () => {
  const start = scenarios();

  /** Round robin, so the flaky key is offered a third of the traffic until its breaker says otherwise. */
  async function duringOutage(): Promise<Scenario> {
    const s = await start({ mock: cast, pool: { strategy: 'round-robin' } });
    s.mock.setKey('flaky', { errorRates: { '500': 0.5, '503': 0.5 } });
    return s;
  }

  it('serves every request from the healthy keys while the flaky key fails', async () => {
    const s = await duringOutage();

    const result = await driveChat(s.pool, 30, 1);

    expect(successRate(result)).toBe(1);
    expect(result.metas.every((m) => m.keyId !== 'flaky')).toBe(true);
    const flaky = s.keyStats('flaky');
    expect((flaky.responses['500'] ?? 0) + (flaky.responses['503'] ?? 0)).toBe(flaky.requests.chat);
    expect(result.metas.reduce((sum, m) => sum + m.attempts, 0)).toBe(30 + flaky.requests.chat);
    report('scenario 4 outage', {
      successRate: successRate(result),
      attemptsPerRequest: attemptsPerRequest(result),
      flakyRequests: flaky.requests.chat,
      statuses: flaky.responses,
    });
  });

  it('opens the breaker after exactly the minimum volume of failures, then sends nothing while it is open', async () => {
    const s = await duringOutage();

    await driveChat(s.pool, 30, 1);

    const [opened] = s.timeline.events('breaker.open', 'flaky');
    expect(opened).toBeDefined();
    expect(s.timeline.requestsTo('flaky').filter((r) => r.seq < opened.seq)).toHaveLength(volumeThreshold);
    expect(s.timeline.requestsWhileOpen('flaky')).toEqual([]);
    for (const probes of s.timeline.probesPerHalfOpen('flaky')) expect(probes).toBeLessThanOrEqual(halfOpenMaxTrials);
    expect(s.timeline.events('breaker.open', 'healthy-1')).toEqual([]);
  });

  it('gives the key its traffic back through half-open probes once it recovers', async () => {
    const s = await duringOutage();
    await driveChat(s.pool, 30, 1);
    s.mock.setKey('flaky', { errorRates: null });

    const recovery = await driveUntil(
      (n) => s.pool.chat(chatRequest(n)).then((r) => r.meta),
      () => s.keySnapshot('flaky').breaker === 'closed',
      'the flaky key closing its breaker',
    );
    const afterwards = await driveChat(s.pool, 30, 1);

    expect(recovery.failures).toEqual([]);
    const [closed] = s.timeline.events('breaker.close', 'flaky');
    const lastHalfOpen = must(
      s.timeline
        .events('breaker.half-open', 'flaky')
        .filter((e) => e.seq < closed.seq)
        .at(-1),
      'a half-open before the close',
    );
    const probes = s.timeline.requestsTo('flaky', lastHalfOpen.seq).filter((r) => r.seq < closed.seq);
    expect(probes).toHaveLength(halfOpenSuccessesToClose);
    expect(successRate(afterwards)).toBe(1);
    expect(shareOf(servedBy(afterwards), 'flaky')).toBeGreaterThanOrEqual(0.3);
    report('scenario 4 recovery', {
      recoveryRequests: recovery.offered,
      probesBeforeClose: probes.length,
      servedAfterwards: servedBy(afterwards),
    });
  });

  it('does not re-open a just-recovered breaker on its first failure: the outage is no longer held against the key', async () => {
    const s = await duringOutage();
    await driveChat(s.pool, 30, 1);
    s.mock.setKey('flaky', { errorRates: null });
    await driveUntil(
      (n) => s.pool.chat(chatRequest(n)).then((r) => r.meta),
      () => s.keySnapshot('flaky').breaker === 'closed',
      'the flaky key closing its breaker',
    );
    s.mock.setKey('flaky', { status: 500 });
    const closedAt = must(s.timeline.entries.at(-1), 'a timeline entry').seq;

    await driveUntil(
      (n) => s.pool.chat(chatRequest(n)).then((r) => r.meta),
      () => s.timeline.requestsTo('flaky', closedAt).length === 1,
      'one more request to the flaky key',
    );

    // One failure out of one call since recovery is under the minimum volume: the breaker must stay closed.
    expect(s.keySnapshot('flaky').breaker).toBe('closed');
  });

  it('fails a stream over to another key when the first key answers 5xx before the first token', async () => {
    const s = await start({
      mock: cast,
      keys: { flaky: { priority: 0 }, 'healthy-1': { priority: 1 }, 'healthy-2': { priority: 1 } },
    });
    s.mock.setKey('flaky', { status: 503 });

    const read = await readStream(s.pool);

    expect(read.meta.attempts).toBe(2);
    expect(read.meta.trace[0]).toMatchObject({ keyId: 'flaky', outcome: 'http', status: 503 });
    expect(read.text).toBe(`Mock answer from ${read.meta.keyId} to: Question number 0`);
    expect(s.keySnapshot('flaky')).toMatchObject({ windowCalls: 1, errorRate: 1 });
  });
});
