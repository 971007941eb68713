import { jest } from '@jest/globals';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import type { DirectCallResult } from '../../transport/direct-call.js';
import type { DeepSeekPoolOptions } from '../../deepseek-pool.options.js';
import type { PoolCore } from '../../core/pool-core.js';
import { poolCore, twoKeys } from '../../pool-app.fixture.js';
import type { PoolKeys } from '../../core/pool-keys.js';
import type { ProbeSignal } from '../probing/probe-signal.js';
import { ProbeUpstream } from '../probing/probe-upstream.fixture.js';
import type { ResolvedSyntheticOptions, SyntheticOptions } from '../../options/probe-options.js';
import { SyntheticTraffic, syntheticSignal } from './synthetic-traffic.js';
import { defined } from '../../defined.fixture.js';

const A = 'sk-synthetickeyaaaaaa0001';
const B = 'sk-synthetickeybbbbbb0002';
const INTERVAL = 60_000;
const answer = (content: unknown): Pick<DirectCallResult, 'ok' | 'outcome' | 'status' | 'body'> => ({
  ok: true,
  outcome: 'success',
  status: 200,
  body: { choices: [{ message: { role: 'assistant', content } }] },
});

describe('syntheticSignal', () => {
  it.each<[string, Pick<DirectCallResult, 'ok' | 'outcome' | 'status' | 'body'>, ProbeSignal]>([
    ['the expected answer', answer('Pong.'), { kind: 'success' }],
    ['a wrong answer', answer('I cannot help with that'), { kind: 'failure' }],
    ['an empty answer', answer('  '), { kind: 'failure' }],
    ['no content', answer(null), { kind: 'failure' }],
    ['not a completion', { ok: true, outcome: 'success', status: 200, body: {} }, { kind: 'failure' }],
    ['a timeout (too slow)', { ok: false, outcome: 'timeout' }, { kind: 'failure' }],
    ['503', { ok: false, outcome: 'http', status: 503 }, { kind: 'failure' }],
    ['402', { ok: false, outcome: 'http', status: 402 }, { kind: 'disable', reason: 'insufficient-balance' }],
    ['429', { ok: false, outcome: 'http', status: 429 }, { kind: 'neutral' }],
    ['400 (the key does not serve this model)', { ok: false, outcome: 'http', status: 400 }, { kind: 'neutral' }],
  ])('%s', (_name, result, expected) => {
    expect(syntheticSignal(result, 'pong')).toEqual(expected);
  });
});

describe('SyntheticTraffic', () => {
  let upstream: ProbeUpstream;
  let core: PoolCore;
  let pool: PoolKeys;
  let traffic: SyntheticTraffic;

  function setup(synthetic: Partial<SyntheticOptions> = {}, extra: Partial<DeepSeekPoolOptions> = {}): void {
    upstream = new ProbeUpstream();
    const created = poolCore({
      keys: twoKeys(A, B),
      transport: upstream,
      rng: mulberry32(5),
      health: { synthetic: { intervalMs: INTERVAL, model: 'deepseek-v4-flash', dailyRequests: 1_000, ...synthetic } },
      ...extra,
    });
    const { options } = created;
    core = created.core;
    pool = core.keys;
    traffic = new SyntheticTraffic(
      pool,
      options.synthetic as ResolvedSyntheticOptions,
      { unhealthyAfter: 3, healthyAfter: 2 },
      0,
      options.clock,
      options.rng,
      undefined,
    );
  }

  const key = (id: string) => defined(pool.snapshot().keys.find((k) => k.id === id));

  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    await traffic.stop();
    await core.close();
    jest.useRealTimers();
  });

  it('sends one tiny completion per key per interval', async () => {
    setup();
    traffic.start();
    await jest.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(upstream.callsTo(A, '/chat/completions')).toBe(3);
    expect(upstream.callsTo(B, '/chat/completions')).toBe(3);
  });

  it('asks each key under its own model name and skips keys that do not serve the model', async () => {
    setup(
      {},
      {
        keys: [
          { id: 'a', apiKey: A, modelMap: { 'deepseek-v4-flash': 'local-flash' } },
          { id: 'b', apiKey: B, models: ['deepseek-v4-pro'] },
        ],
      },
    );

    await traffic.runNow();

    expect(upstream.calls.filter((c) => c.path === '/chat/completions').map((c) => [c.apiKey, c.model])).toEqual([
      [A, 'local-flash'],
    ]);
  });

  it("feeds each answer's latency into the key's EWMA, so routing sees a slow key without traffic", async () => {
    setup();
    upstream.set(A, { chatDelayMs: 2_000 });
    traffic.start();
    await jest.advanceTimersByTimeAsync(INTERVAL + 2_000);
    expect(key('a').latencyEwmaMs).toBeGreaterThan(1_500);
    expect(key('b').latencyEwmaMs).toBe(0);
  });

  it('marks a key down after 3 wrong answers in a row (a grey failure /models cannot see)', async () => {
    setup();
    upstream.set(A, { content: 'Sorry, the service is busy' });
    traffic.start();
    await jest.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(key('a').breaker).toBe('closed');
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(key('a').breaker).toBe('open');
    expect(key('b').breaker).toBe('closed');
  });

  it('counts a too-slow answer as a failure', async () => {
    setup({ timeoutMs: 1_000 });
    upstream.set(A, { chatDelayMs: 5_000 });
    traffic.start();
    await jest.advanceTimersByTimeAsync(3 * (INTERVAL + 1_000));
    expect(key('a').breaker).toBe('open');
  });

  it('stays within the daily request budget, and starts again the next UTC day', async () => {
    jest.setSystemTime(Date.UTC(2026, 0, 1, 12));
    setup({ dailyRequests: 2 });
    traffic.start();
    await jest.advanceTimersByTimeAsync(5 * INTERVAL);
    expect(upstream.callsTo(A, '/chat/completions')).toBe(2);
    jest.setSystemTime(Date.UTC(2026, 0, 2, 0, 0, 1));
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(upstream.callsTo(A, '/chat/completions')).toBe(3);
  });

  it('stays within the daily token budget', async () => {
    // Midday: five minutes from the real clock may cross midnight UTC, where the budget starts again.
    jest.setSystemTime(Date.UTC(2026, 0, 1, 12));
    setup({ dailyRequests: undefined, dailyBudgetTokens: 30 });
    traffic.start();
    await jest.advanceTimersByTimeAsync(5 * INTERVAL);
    expect(upstream.callsTo(A, '/chat/completions')).toBe(3); // 13 tokens each: 0, 13, 26 < 30; then 39
  });

  it('skips disabled keys and keys whose breaker is open', async () => {
    setup({}, { breaker: { resetTimeoutMs: 10 * INTERVAL } });
    pool.disableKey('a', 'manual');
    pool.markKeyDown('b');
    traffic.start();
    await jest.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(upstream.calls).toHaveLength(0);
  });
});
