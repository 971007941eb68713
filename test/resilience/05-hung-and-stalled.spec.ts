import { AttemptsExhaustedError } from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { SCALED_POOL_OPTIONS, type Scenario, scenarios, startScenario } from './support/harness.js';
import { report } from './support/report.js';
import {
  type TrafficResult,
  attemptsPerRequest,
  chatRequest,
  driveChat,
  readStream,
  successRate,
  waitFor,
} from './support/traffic.js';

// Anchors scenario 5: a hung connection (accepted, never answered) and headers then a stall.
// Healthy keys answer in ~2 ms: the timeouts leave a wide margin for a slow or loaded machine.
const TIMEOUTS = { firstByteMs: 400, firstContentMs: 400, idleMs: 1_000, attemptMs: 800, requestMs: 8_000 };
const BREAKER = { ...SCALED_POOL_OPTIONS.breaker, volumeThreshold: 3 };
const STUCK = ['hung', 'stalled'];
const CONCURRENCY = 4;

/** Priorities that have the pool try these keys in this order; the keys of one group share a priority. */
function tried(...groups: Array<string | string[]>): Record<string, { priority: number }> {
  return Object.fromEntries(groups.flatMap((group, priority) => [group].flat().map((name) => [name, { priority }])));
}

const cast: MockScenario = {
  defaults: { latencyMs: 2 },
  keys: [
    { key: 'sk-hung-0000000000001', name: 'hung', hang: true },
    { key: 'sk-stalled-0000000001', name: 'stalled', headersThenStall: true },
    { key: 'sk-healthy-0000000001', name: 'healthy-1' },
    { key: 'sk-healthy-0000000002', name: 'healthy-2' },
  ],
};

describe('scenario 5: a hung connection, and headers then a stall', () => {
  describe('a batch under round robin (the stuck keys are offered half the traffic)', () => {
    let s: Scenario;
    let result: TrafficResult;

    beforeAll(async () => {
      s = await startScenario({ mock: cast, pool: { strategy: 'round-robin', timeouts: TIMEOUTS, breaker: BREAKER } });
      result = await driveChat(s.pool, 16, CONCURRENCY);
      report('scenario 5 non-streaming', {
        successRate: successRate(result),
        attemptsPerRequest: attemptsPerRequest(result),
        requests: s.chatRequestsByKey(),
      });
    });
    afterAll(() => s.close());

    it('times the stuck keys out, fails over, and serves every request', () => {
      expect(successRate(result)).toBe(1);
      const failed = result.metas.flatMap((m) => m.trace.filter((t) => t.outcome !== 'success'));
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((t) => t.outcome === 'timeout' && STUCK.includes(t.keyId))).toBe(true);
    });

    it('sends a stuck key no more requests than its breaker allows', () => {
      for (const name of STUCK) {
        const [opened] = s.timeline.events('breaker.open', name);
        expect(opened).toBeDefined();
        // Before it opens, only the calls already in flight may join the minimum volume.
        expect(s.timeline.requestsTo(name).filter((r) => r.seq < opened.seq).length).toBeLessThanOrEqual(
          BREAKER.volumeThreshold + CONCURRENCY - 1,
        );
        expect(s.timeline.requestsWhileOpen(name)).toEqual([]);
        for (const probes of s.timeline.probesPerHalfOpen(name))
          expect(probes).toBeLessThanOrEqual(BREAKER.halfOpenMaxTrials);
      }
    });

    it('closes every stuck upstream connection it gave up on (the mock sees the client abort)', async () => {
      await waitFor(
        () => STUCK.every((name) => s.keyStats(name).inFlight === 0),
        'no request left in flight on the stuck keys',
      );
      for (const name of STUCK) expect(s.keyStats(name).clientAborts).toBe(s.keyStats(name).requests.chat);
      expect(s.pool.snapshot().keys.every((k) => k.inFlight === 0)).toBe(true);
    });
  });

  describe('one call at a time', () => {
    const start = scenarios();

    it("counts each timeout against the stuck key's breaker", async () => {
      const s = await start({
        mock: cast,
        pool: { timeouts: TIMEOUTS, breaker: BREAKER },
        keys: tried('hung', ['healthy-1', 'healthy-2'], 'stalled'),
      });

      const result = await driveChat(s.pool, BREAKER.volumeThreshold - 1, 1);

      expect(result.metas.map((m) => m.trace[0]?.outcome)).toEqual(['timeout', 'timeout']);
      expect(s.keySnapshot('hung')).toMatchObject({ windowCalls: 2, errorRate: 1 });
    });

    it('fires the first-byte timer on a hung key and the idle timer on a silent non-streaming body, long before the attempt deadline', async () => {
      const timeouts = { ...TIMEOUTS, idleMs: 300, attemptMs: 5_000 };
      const s = await start({
        mock: cast,
        pool: { retry: { maxAttempts: 1 }, timeouts },
        keys: tried('hung', 'stalled', ['healthy-1', 'healthy-2']),
      });
      const hung = await s.pool.chat(chatRequest()).catch((error: unknown) => error);
      s.admin.disableKey('hung');
      const stalled = await s.pool.chat(chatRequest()).catch((error: unknown) => error);

      expect(hung).toBeInstanceOf(AttemptsExhaustedError);
      expect((hung as AttemptsExhaustedError).lastError.outcome).toEqual({ kind: 'timeout', phase: 'first-byte' });
      expect(stalled).toBeInstanceOf(AttemptsExhaustedError);
      expect((stalled as AttemptsExhaustedError).lastError.outcome).toEqual({ kind: 'timeout', phase: 'idle' });
      expect((stalled as AttemptsExhaustedError).attempts[0].latencyMs).toBeLessThan(timeouts.attemptMs);
    });

    it('fires the whole-attempt timer on a non-streaming stall when it comes before the idle timer', async () => {
      const s = await start({
        mock: cast,
        pool: { retry: { maxAttempts: 1 }, timeouts: TIMEOUTS },
        keys: tried('stalled', 'hung', ['healthy-1', 'healthy-2']),
      });

      const stalled = await s.pool.chat(chatRequest()).catch((error: unknown) => error);

      expect((stalled as AttemptsExhaustedError).lastError.outcome).toEqual({ kind: 'timeout', phase: 'total' });
    });

    it('fails a stream over when the first key sends headers then nothing (first-content timer)', async () => {
      const s = await start({
        mock: cast,
        pool: { timeouts: TIMEOUTS },
        keys: tried('stalled', 'hung', 'healthy-1', 'healthy-2'),
      });

      const read = await readStream(s.pool);

      expect(read.meta).toMatchObject({ keyId: 'healthy-1', attempts: 3 });
      expect(read.meta.trace.map((t) => [t.keyId, t.outcome])).toEqual([
        ['stalled', 'timeout'],
        ['hung', 'timeout'],
        ['healthy-1', 'success'],
      ]);
      expect(read.text).toBe('Mock answer from healthy-1 to: Question number 0');
    });

    it('names the first-content timer when a stream stalls after its headers', async () => {
      const s = await start({
        mock: cast,
        pool: { retry: { maxAttempts: 1 }, timeouts: TIMEOUTS },
        keys: tried('stalled', 'hung', 'healthy-1', 'healthy-2'),
      });

      const error = await readStream(s.pool).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AttemptsExhaustedError);
      expect((error as AttemptsExhaustedError).lastError.outcome).toEqual({ kind: 'timeout', phase: 'first-content' });
    });
  });

  describe('hedging on (the default)', () => {
    const start = scenarios();

    it('answers calls stuck on the hung or stalled key with a hedge instead of waiting for a timeout, without blaming the stuck keys for the losers', async () => {
      const s = await start({ mock: cast, pool: { hedging: {}, breaker: BREAKER } });

      const result = await driveChat(s.pool, 16, CONCURRENCY);

      expect(successRate(result)).toBe(1);
      const trace = result.metas.flatMap((m) => m.trace);
      const onStuckKeys = trace.filter((t) => STUCK.includes(t.keyId));
      expect(onStuckKeys.length).toBeGreaterThan(0);
      // Every call that went to a stuck key was answered by a hedge: the stuck attempt lost, none rode to a timeout.
      expect(onStuckKeys.every((t) => t.outcome === 'lost')).toBe(true);
      expect(trace.filter((t) => t.outcome === 'timeout')).toEqual([]);
      for (const name of STUCK) expect(s.keySnapshot(name).errorRate).toBe(0);
      report('scenario 5 hedging', {
        successRate: successRate(result),
        attemptsPerRequest: attemptsPerRequest(result),
        requests: s.chatRequestsByKey(),
      });
    });
  });
});
