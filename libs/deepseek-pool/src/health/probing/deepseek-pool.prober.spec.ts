import { jest } from '@jest/globals';
import { poolApp, twoKeys } from '../../pool-app.fixture.js';
import type { DeepSeekPoolOptions } from '../../deepseek-pool.options.js';
import { DeepSeekPoolAdmin } from '../../deepseek-pool.admin.js';
import { DeepSeekPoolService } from '../../deepseek-pool.service.js';
import { DeepSeekPoolProber } from './deepseek-pool.prober.js';
import { ProbeUpstream } from './probe-upstream.fixture.js';

const A = 'sk-lifecyclekeyaaaaaa0001';
const B = 'sk-lifecyclekeybbbbbb0002';

describe('DeepSeekPoolProber (registered by DeepSeekPoolModule)', () => {
  let upstream: ProbeUpstream;

  beforeEach(() => {
    jest.useFakeTimers();
    upstream = new ProbeUpstream();
  });
  afterEach(() => jest.useRealTimers());

  const app = (options: Partial<DeepSeekPoolOptions> = {}) =>
    poolApp({ keys: twoKeys(A, B), transport: upstream, ...options }).compile();

  it('validates every key at bootstrap, then probes on schedule until the app closes', async () => {
    upstream.set(A, { models: 401 });
    const moduleRef = await app({ health: { probe: { jitter: 0, balance: false } } });
    const baseline = jest.getTimerCount();
    await moduleRef.init();
    expect(
      moduleRef
        .get(DeepSeekPoolService)
        .snapshot()
        .keys.map((k) => k.state),
    ).toEqual(['disabled', 'ready']);
    expect(upstream.callsTo(B, '/models')).toBe(1);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(upstream.callsTo(B, '/models')).toBe(2);
    expect(upstream.callsTo(A)).toBe(1);
    await moduleRef.close();
    expect(jest.getTimerCount()).toBeLessThan(baseline);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(upstream.callsTo(B, '/models')).toBe(2);
  });

  it("fails the start with 'require-one' when no key is valid", async () => {
    upstream.set(A, { models: 401 }).set(B, { models: 401 });
    const moduleRef = await app({ health: { validateOnStart: 'require-one' } });
    await expect(moduleRef.init()).rejects.toMatchObject({ code: 'NO_VALID_KEY' });
    await moduleRef.close();
  });

  it('does nothing at all with health.probe: false and health.validateOnStart: false', async () => {
    const moduleRef = await app({ health: { probe: false, validateOnStart: false } });
    await moduleRef.init();
    await moduleRef.get(DeepSeekPoolProber).checkNow();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(upstream.calls).toHaveLength(0);
    await moduleRef.close();
  });

  it('checkNow probes every key on demand (e.g. after a top-up)', async () => {
    const moduleRef = await app({ health: { validateOnStart: false, probe: { balance: true } } });
    await moduleRef.init();
    moduleRef.get(DeepSeekPoolAdmin).disableKey('a', 'insufficient-balance');
    await moduleRef.get(DeepSeekPoolProber).checkNow();
    expect(moduleRef.get(DeepSeekPoolService).snapshot().keys[0].state).toBe('ready');
    await moduleRef.close();
  });

  it('starts synthetic traffic when configured', async () => {
    const moduleRef = await app({
      health: {
        validateOnStart: false,
        probe: false,
        synthetic: { intervalMs: 60_000, model: 'deepseek-v4-flash', dailyRequests: 10 },
      },
    });
    await moduleRef.init();
    await jest.advanceTimersByTimeAsync(75_000);
    expect(upstream.callsTo(A, '/chat/completions')).toBe(1);
    await moduleRef.get(DeepSeekPoolProber).runSyntheticNow();
    expect(upstream.callsTo(A, '/chat/completions')).toBe(2);
    await moduleRef.close();
  });
});
