import type { StrategyName } from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { scenarios } from './support/harness.js';
import { report } from './support/report.js';
import {
  attemptsPerRequest,
  chatRequest,
  drive,
  driveChat,
  servedBy,
  shareOf,
  successRate,
} from './support/traffic.js';

// Anchors scenario 10: unequal accounts, concurrency ceilings 2 / 2 / 16, at 20 concurrent requests.
const CEILINGS = { 'acct-small-1': 2, 'acct-small-2': 2, 'acct-large': 16 } as const;
const CONCURRENCY = 20;
const REQUESTS = 100;

const cast: MockScenario = {
  defaults: { latencyMs: 20 },
  accounts: {
    'acct-small-1': { maxConcurrency: CEILINGS['acct-small-1'] },
    'acct-small-2': { maxConcurrency: CEILINGS['acct-small-2'] },
    'acct-large': { maxConcurrency: CEILINGS['acct-large'] },
  },
  keys: [
    { key: 'sk-small-000000000001', name: 'small-1', account: 'acct-small-1' },
    { key: 'sk-small-000000000002', name: 'small-2', account: 'acct-small-2' },
    { key: 'sk-large-000000000001', name: 'large', account: 'acct-large' },
  ],
};

/** The pool's `accounts` option matching the mock's ceilings. */
const ACCOUNT_LIMITS = Object.fromEntries(
  Object.entries(CEILINGS).map(([name, maxConcurrency]) => [name, { maxConcurrency }]),
);

describe('scenario 10: unequal accounts (ceilings 2 / 2 / 16) at 20 concurrent requests', () => {
  const start = scenarios();

  async function run(strategy: StrategyName) {
    const s = await start({
      mock: cast,
      pool: { strategy, accounts: ACCOUNT_LIMITS, retry: { maxWaitForKeyMs: 2_000 } },
    });
    const result = await driveChat(s.pool, REQUESTS, CONCURRENCY);
    const stats = s.mock.stats();
    return { s, result, stats };
  }

  it.each<StrategyName>(['p2c-ewma', 'least-connections', 'round-robin'])(
    'serves every request and keeps every account under its ceiling (%s)',
    async (strategy) => {
      const { s, result, stats } = await run(strategy);

      expect(successRate(result)).toBe(1);
      for (const [account, ceiling] of Object.entries(CEILINGS))
        expect(stats.accounts[account].peakInFlight).toBeLessThanOrEqual(ceiling);
      const rejected = Object.values(stats.keys).reduce((sum, k) => sum + k.rejections.concurrency, 0);
      expect(rejected).toBe(0);
      expect(result.metas.flatMap((m) => m.trace).filter((t) => t.status === 429)).toEqual([]);
      report(`scenario 10 ${strategy}`, {
        successRate: successRate(result),
        attemptsPerRequest: attemptsPerRequest(result),
        served: servedBy(result),
        peakInFlight: Object.fromEntries(Object.entries(stats.accounts).map(([a, v]) => [a, v.peakInFlight])),
        concurrency429s: rejected,
      });
      expect(s.pool.snapshot().keys.every((k) => k.inFlight === 0)).toBe(true);
    },
  );

  it('lets the big account take most of the traffic', async () => {
    const { result } = await run('p2c-ewma');

    expect(shareOf(servedBy(result), 'large')).toBeGreaterThanOrEqual(0.6);
  });

  it('learns the ceilings from a burst of concurrency 429s without configured limits, then uses every slot of each account', async () => {
    const s = await start({ mock: cast, pool: { strategy: 'p2c-ewma', retry: { maxWaitForKeyMs: 2_000 } } });

    // 60 calls at once, three times the accounts' 20 slots: the late 429s of the burst answer calls sent before the
    // first one came back, and must not lower the ceiling they all state.
    const burst = await driveChat(s.pool, 60, 60);
    s.mock.resetCounters();
    const after = await driveChat(s.pool, REQUESTS, CONCURRENCY);
    const stats = s.mock.stats();

    expect(burst.failures.map((e) => (e as Error).message)).toEqual([]);
    expect(successRate(after)).toBe(1);
    for (const [account, ceiling] of Object.entries(CEILINGS))
      expect(stats.accounts[account].peakInFlight).toBeLessThanOrEqual(ceiling);
    expect(stats.accounts['acct-large'].peakInFlight).toBeGreaterThanOrEqual(CEILINGS['acct-large'] - 1);
    report('scenario 10 learned ceilings', {
      burstAttemptsPerRequest: attemptsPerRequest(burst),
      peakInFlightAfter: Object.fromEntries(Object.entries(stats.accounts).map(([a, v]) => [a, v.peakInFlight])),
      concurrency429sAfter: Object.values(stats.keys).reduce((sum, k) => sum + k.rejections.concurrency, 0),
    });
  });

  it("waits for a saturated account's free slot even while another key cools down for longer than maxWaitForKeyMs", async () => {
    const s = await start({
      mock: {
        defaults: { latencyMs: 100 },
        accounts: { 'acct-one': { maxConcurrency: 1 } },
        keys: [
          { key: 'sk-limited-0000000001', name: 'limited', status: 429, retryAfterSeconds: 10 },
          { key: 'sk-one-00000000000001', name: 'one-slot', account: 'acct-one' },
        ],
      },
      pool: { accounts: { 'acct-one': { maxConcurrency: 1 } }, retry: { maxWaitForKeyMs: 2_000 } },
      keys: { limited: { priority: 0 }, 'one-slot': { priority: 1 } },
    });
    await s.pool.chat(chatRequest(0));
    expect(s.keySnapshot('limited').state).toBe('cooling');

    // The second call finds 'one-slot' busy with the first: its slot frees in ~100 ms, the cooldown ends in 10 s.
    const result = await drive(2, 2, async (n) => (await s.pool.chat(chatRequest(n))).meta);

    expect(result.failures.map((e) => (e as Error).message)).toEqual([]);
    expect(result.metas.map((m) => m.keyId)).toEqual(['one-slot', 'one-slot']);
  });
});
