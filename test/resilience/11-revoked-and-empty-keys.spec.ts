import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { scenarios } from './support/harness.js';
import { report } from './support/report.js';
import { attemptsPerRequest, driveChat, successRate } from './support/traffic.js';

// Anchors scenario 11: revoked (401) and empty (402) keys among healthy ones. An empty balance is per account:
// two keys share the empty account here.
const EMPTY_ACCOUNT_KEYS = ['empty-1', 'empty-2'];

const cast: MockScenario = {
  defaults: { latencyMs: 2 },
  accounts: { 'acct-empty': { balance: 0 }, 'acct-main': {} },
  keys: [
    { key: 'sk-revoked-0000000001', name: 'revoked', status: 401 },
    { key: 'sk-empty-000000000001', name: 'empty-1', account: 'acct-empty' },
    { key: 'sk-empty-000000000002', name: 'empty-2', account: 'acct-empty' },
    { key: 'sk-healthy-0000000001', name: 'healthy-1', account: 'acct-main' },
    { key: 'sk-healthy-0000000002', name: 'healthy-2', account: 'acct-main' },
  ],
};

describe('scenario 11: revoked (401) and empty (402) keys among healthy ones', () => {
  const start = scenarios();

  it('serves every request, hitting the revoked key at most once and the empty account at most once', async () => {
    const s = await start({ mock: cast });

    const result = await driveChat(s.pool, 30, 1);

    expect(successRate(result)).toBe(1);
    expect(s.keyStats('revoked').requests.chat).toBeLessThanOrEqual(1);
    expect(EMPTY_ACCOUNT_KEYS.reduce((sum, name) => sum + s.keyStats(name).requests.chat, 0)).toBeLessThanOrEqual(1);
    report('scenario 11 sequential', {
      successRate: successRate(result),
      attemptsPerRequest: attemptsPerRequest(result),
      requests: s.chatRequestsByKey(),
    });
  });

  it('disables the revoked key, and every key of the empty account, with the reason', async () => {
    const s = await start({
      mock: cast,
      keys: {
        revoked: { priority: 0 },
        'empty-1': { priority: 1 },
        'empty-2': { priority: 2 },
        'healthy-1': { priority: 3 },
        'healthy-2': { priority: 3 },
      },
    });

    const result = await driveChat(s.pool, 10, 1);

    expect(successRate(result)).toBe(1);
    expect(result.metas[0].trace.map((t) => [t.keyId, t.status])).toEqual([
      ['revoked', 401],
      ['empty-1', 402],
      ['healthy-1', undefined],
    ]);
    expect(result.metas.slice(1).every((m) => m.attempts === 1)).toBe(true);
    expect(s.keySnapshot('revoked')).toMatchObject({ state: 'disabled', disabledReason: 'revoked' });
    for (const id of EMPTY_ACCOUNT_KEYS)
      expect(s.keySnapshot(id)).toMatchObject({ state: 'disabled', disabledReason: 'insufficient-balance' });
    expect(s.keyStats('empty-2').requests.chat).toBe(0);
    // Neither is a breaker matter: the key is dead, not flaky.
    expect(s.timeline.events('breaker.open')).toEqual([]);
  });

  it('serves every request under concurrency, each bad key hit at most once per caller already in flight', async () => {
    const concurrency = 4;
    const s = await start({ mock: cast });

    const result = await driveChat(s.pool, 40, concurrency);

    expect(successRate(result)).toBe(1);
    expect(s.keyStats('revoked').requests.chat).toBeLessThanOrEqual(concurrency);
    expect(EMPTY_ACCOUNT_KEYS.reduce((sum, name) => sum + s.keyStats(name).requests.chat, 0)).toBeLessThanOrEqual(
      concurrency,
    );
    const disabledAt = s.timeline.events('disabled', 'revoked')[0].seq;
    expect(s.timeline.requestsTo('revoked', disabledAt)).toEqual([]);
    report('scenario 11 concurrent', {
      successRate: successRate(result),
      attemptsPerRequest: attemptsPerRequest(result),
      requests: s.chatRequestsByKey(),
    });
  });

  it('with start-up validation, disables the bad keys before any traffic: no chat request ever reaches them', async () => {
    const s = await start({
      mock: cast,
      pool: { health: { validateOnStart: true, probe: { balance: true, intervalMs: 60_000 } } },
    });

    const result = await driveChat(s.pool, 20, 4);

    expect(successRate(result)).toBe(1);
    expect(result.metas.every((m) => m.attempts === 1)).toBe(true);
    for (const name of ['revoked', ...EMPTY_ACCOUNT_KEYS]) expect(s.keyStats(name).requests.chat).toBe(0);
    expect(s.keySnapshot('revoked').disabledReason).toBe('revoked');
    for (const id of EMPTY_ACCOUNT_KEYS) expect(s.keySnapshot(id).disabledReason).toBe('insufficient-balance');
  });
});
