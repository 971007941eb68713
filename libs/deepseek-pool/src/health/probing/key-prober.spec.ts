import { jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import type { DeepSeekPoolOptions } from '../../deepseek-pool.options.js';
import type { PoolCore } from '../../core/pool-core.js';
import { poolCore, twoKeys } from '../../pool-app.fixture.js';
import type { PoolKeys } from '../../core/pool-keys.js';
import { KeyProber } from './key-prober.js';
import type { ProbeOptions, ResolvedProbeOptions } from '../../options/probe-options.js';
import { ProbeUpstream } from './probe-upstream.fixture.js';
import { defined } from '../../defined.fixture.js';

const A = 'sk-proberkeyaaaaaaaa0001';
const B = 'sk-proberkeybbbbbbbb0002';
const INTERVAL = 10_000;

/** Collects every log line, to assert that none holds a secret. */
function recordingLogger(lines: string[]): LoggerService {
  const record = (message: unknown): void => void lines.push(String(message));
  return { log: record, warn: record, error: record };
}

describe('KeyProber', () => {
  let upstream: ProbeUpstream;
  let core: PoolCore;
  let pool: PoolKeys;
  let prober: KeyProber;
  let lines: string[];

  function setup(probe: ProbeOptions = {}, extra: Partial<DeepSeekPoolOptions> = {}): void {
    upstream = new ProbeUpstream();
    lines = [];
    const created = poolCore({
      keys: twoKeys(A, B),
      transport: upstream,
      rng: mulberry32(3),
      health: { probe: { jitter: 0, ...probe } },
      ...extra,
    });
    const { options } = created;
    core = created.core;
    pool = core.keys;
    prober = new KeyProber(
      pool,
      options.probe as ResolvedProbeOptions,
      options.clock,
      options.rng,
      recordingLogger(lines),
    );
  }

  const key = (id: string) => defined(pool.snapshot().keys.find((k) => k.id === id));
  const tick = (ms = INTERVAL) => jest.advanceTimersByTimeAsync(ms);

  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    await prober.stop();
    await core.close();
    expect(lines.join('\n')).not.toMatch(new RegExp(`${A}|${B}`));
    jest.useRealTimers();
  });

  it('marks a key down after 3 failed probes in a row, not before', async () => {
    setup();
    upstream.set(A, { models: 503 });
    prober.start();
    await tick();
    await tick();
    expect(key('a')).toMatchObject({ state: 'ready', breaker: 'closed' });
    await tick();
    expect(key('a')).toMatchObject({ state: 'open', breaker: 'open' });
    expect(key('b')).toMatchObject({ state: 'ready', breaker: 'closed' });
    expect(lines).toContain('Key a failed 3 probes in a row: marked down');
  });

  it('a success between failures resets the count', async () => {
    setup();
    upstream.set(A, { models: 503 });
    prober.start();
    await tick(2 * INTERVAL);
    upstream.set(A, { models: 200 });
    await tick();
    upstream.set(A, { models: 503 });
    await tick(2 * INTERVAL);
    expect(key('a').breaker).toBe('closed');
  });

  it('holds a failing key open past the reset timeout, then lets it return through half-open after 2 successes', async () => {
    setup({}, { breaker: { resetTimeoutMs: 15_000 } });
    upstream.set(A, { models: 'network' });
    prober.start();
    await tick(3 * INTERVAL); // t=30s: down
    await tick(2 * INTERVAL); // t=50s: the breaker went half-open at 45s; the failing probe opened it again
    expect(key('a').state).toBe('open');
    upstream.set(A, { models: 200 });
    await tick(); // t=60s: 1 success: still down
    await tick(); // t=70s: 2 successes: recovered; the breaker half-opened at 65s, by its own timer
    expect(key('a').state).toBe('half-open');
    expect(lines).toContain('Key a passed 2 probes in a row: it returns through half-open');
    await tick(3 * INTERVAL);
    expect(key('a').state).toBe('half-open');
  });

  it('answers that say nothing of the key (429, endpoint missing) never mark it down', async () => {
    setup();
    upstream.set(A, { models: 404 }).set(B, { models: 429 });
    prober.start();
    await tick(10 * INTERVAL);
    expect([key('a').state, key('b').state]).toEqual(['ready', 'ready']);
  });

  it('keeps at most one probe in flight per key', async () => {
    setup({ timeoutMs: 60_000 });
    upstream.set(A, { models: 'hang' });
    prober.start();
    await tick(4 * INTERVAL); // t=40s: the probe sent at 10s still hangs
    expect(upstream.callsTo(A, '/models')).toBe(1);
    expect(upstream.callsTo(B, '/models')).toBe(4);
    await tick(4 * INTERVAL); // t=80s: it timed out at 70s; the next one went out at 80s
    expect(upstream.callsTo(A, '/models')).toBe(2);
  });

  it('disables a key that answers 401 as revoked, and leaves it out until an operator enables it', async () => {
    setup();
    upstream.set(A, { models: 401 });
    prober.start();
    await tick();
    expect(key('a')).toMatchObject({ state: 'disabled', disabledReason: 'revoked' });
    upstream.set(A, { models: 200 });
    await tick(10 * INTERVAL);
    expect(key('a')).toMatchObject({ state: 'disabled', disabledReason: 'revoked' });
    expect(upstream.callsTo(A)).toBe(1);
    pool.enableKey('a');
    await tick();
    expect(upstream.callsTo(A, '/models')).toBe(2);
    expect(key('a').state).toBe('ready');
  });

  it('where /user/balance exists: disables an empty account, and enables it again once the balance is available', async () => {
    setup({ balance: true });
    upstream.set(A, { balance: false });
    prober.start();
    await tick();
    expect(key('a')).toMatchObject({ state: 'disabled', disabledReason: 'insufficient-balance' });
    await tick(3 * INTERVAL);
    expect(key('a').state).toBe('disabled');
    expect(upstream.callsTo(A, '/models')).toBe(1);
    upstream.set(A, { balance: true });
    await tick();
    expect(key('a').state).toBe('ready');
    expect(lines).toContain('Key a enabled by the prober: its balance is available again');
  });

  it("probes /user/balance only on DeepSeek's official API in auto mode", async () => {
    setup(
      {},
      {
        keys: [
          { id: 'a', apiKey: A },
          { id: 'b', apiKey: B, baseUrl: 'http://10.0.0.5:8000/v1' },
        ],
      },
    );
    prober.start();
    await tick();
    expect(upstream.callsTo(A, '/user/balance')).toBe(1);
    expect(upstream.callsTo(B, '/user/balance')).toBe(0);
  });

  it('a 402 key whose balance check answers 401 becomes revoked', async () => {
    setup({ balance: true });
    pool.disableKey('a', 'insufficient-balance');
    upstream.set(A, { balance: 401 });
    prober.start();
    await tick();
    expect(key('a')).toMatchObject({ state: 'disabled', disabledReason: 'revoked' });
  });

  it('without a balance endpoint: re-admits a 402 key through half-open when it answers', async () => {
    setup({ balance: false }, { breaker: { resetTimeoutMs: 15_000 } });
    pool.disableKey('a', 'insufficient-balance');
    prober.start();
    await tick();
    expect(key('a')).toMatchObject({ state: 'open', breaker: 'open' });
    expect(key('a').disabledReason).toBeUndefined();
    await tick(15_000);
    expect(key('a').state).toBe('half-open');
  });

  it('without a balance endpoint: waits twice as long before each re-admission that ends in another 402', async () => {
    setup({ balance: false });
    const readmittedAtS: number[] = [];
    const startMs = Date.now();
    core.events.on('key.enabled', ({ keyId }) => {
      readmittedAtS.push((Date.now() - startMs) / 1_000);
      pool.disableKey(keyId, 'insufficient-balance'); // its first request gets 402 again
    });
    pool.disableKey('a', 'insufficient-balance');
    prober.start();
    await tick(16 * INTERVAL);
    expect(readmittedAtS).toEqual([10, 20, 40, 80, 160]);
  });

  it('checkNow probes every key at once', async () => {
    setup();
    upstream.set(A, { models: 401 });
    prober.start();
    await prober.checkNow();
    expect(key('a').state).toBe('disabled');
    expect(upstream.callsTo(B, '/models')).toBe(1);
  });

  it('stops every timer on stop, aborting the probes in flight', async () => {
    setup({ timeoutMs: 60_000 });
    upstream.set(A, { models: 'hang' });
    const baseline = jest.getTimerCount();
    prober.start();
    await tick();
    expect(upstream.inFlight).toBe(1);
    await prober.stop();
    expect(upstream.inFlight).toBe(0);
    expect(jest.getTimerCount()).toBe(baseline);
    const calls = upstream.calls.length;
    await tick(10 * INTERVAL);
    expect(upstream.calls).toHaveLength(calls);
  });
});
