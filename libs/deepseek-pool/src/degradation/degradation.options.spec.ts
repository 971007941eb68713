import { expect, jest } from '@jest/globals';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import { type DeepSeekDegradationOptions, resolveDegradationOptions, resolveFallback } from './degradation.options.js';
import { defaultTenant } from './tenant.js';

const request = { model: 'deepseek-v4-pro', messages: [{ role: 'user', content: 'hi' }] };

describe('resolveDegradationOptions', () => {
  it('applies the defaults', () => {
    const options = resolveDegradationOptions({ logger: false });
    expect(options).toMatchObject({
      tiers: ['cache', 'model', 'fallback'],
      cacheTtlMs: 3_600_000,
      cacheNonDeterministic: false,
      cacheKeyPrefix: 'deepseek-pool:degradation:',
      tenant: defaultTenant,
      modelFallbacks: { 'deepseek-v4-pro': ['deepseek-v4-flash'] },
      breaker: {
        errorThresholdPercentage: 50,
        windowMs: 60_000,
        buckets: 10,
        minimumVolume: 20,
        resetTimeoutMs: 30_000,
        halfOpenTrials: 3,
      },
      logger: undefined,
    });
    expect(options.fallback.as).toBe('error');
    expect(options.fallback.body(request, 0)).toEqual({
      error: expect.objectContaining({ message: 'System busy, please retry shortly' }),
    });
  });

  it("takes the pool's clock, metrics and logger unless its own are given", () => {
    const clock = { now: () => 42 };
    const metrics = { degraded: jest.fn() } as unknown as PoolMetricsRecorder;
    expect(resolveDegradationOptions({}, { clock, metrics, logger: false })).toMatchObject({
      clock,
      metrics,
      logger: undefined,
    });
    const own = { now: () => 7 };
    expect(resolveDegradationOptions({ clock: own, logger: false }, { clock, metrics, logger: false }).clock).toBe(own);
  });

  it.each<[string, DeepSeekDegradationOptions]>([
    ['tiers', { tiers: ['cache', 'nope' as 'cache'] }],
    ['tiers', { tiers: ['cache', 'cache'] }],
    ['cacheTtlMs', { cacheTtlMs: 0 }],
    ['modelFallbacks.deepseek-v4-pro', { modelFallbacks: { 'deepseek-v4-pro': ['deepseek-v4-pro'] } }],
    [
      'modelFallbacks.deepseek-v4-pro',
      { modelFallbacks: { 'deepseek-v4-pro': 'deepseek-v4-flash' as unknown as string[] } },
    ],
    ['fallback.as', { fallback: { as: 'html' as 'error' } }],
    ['fallback.message', { fallback: { message: ' ' } }],
    ['breaker.errorThresholdPercentage', { breaker: { errorThresholdPercentage: 100 } }],
    ['breaker.windowMs', { breaker: { windowMs: -1 } }],
    ['breaker.buckets', { breaker: { buckets: 2.5 } }],
    ['breaker.minimumVolume', { breaker: { minimumVolume: -1 } }],
    ['breaker.resetTimeoutMs', { breaker: { resetTimeoutMs: 0 } }],
    ['breaker.halfOpenTrials', { breaker: { halfOpenTrials: 0 } }],
  ])('rejects a bad %s, naming it', (field, options) => {
    expect(() => resolveDegradationOptions({ logger: false, ...options })).toThrow(InvalidOptionsError);
    expect(() => resolveDegradationOptions({ logger: false, ...options })).toThrow(`"${field}"`);
  });
});

describe('resolveFallback', () => {
  it('builds the message fallback with a custom text', () => {
    const fallback = resolveFallback({ as: 'message', message: 'Try again soon' }, 'fallback');
    expect(fallback.as === 'message' && fallback.body(request, 0).choices[0].message.content).toBe('Try again soon');
  });

  it('uses a custom body as given', () => {
    const fallback = resolveFallback({ body: () => ({ busy: true }) }, 'fallback');
    expect(fallback.body(request, 0)).toEqual({ busy: true });
  });
});
