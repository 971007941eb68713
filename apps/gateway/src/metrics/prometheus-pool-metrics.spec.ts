import type { PoolSnapshot } from 'nestjs-deepseek-pool';
import { keySnapshot, metricValues } from './metric-values.fixture.js';
import { PrometheusPoolMetrics } from './prometheus-pool-metrics.js';
import { registerSnapshotGauges } from './snapshot-gauges.js';

describe('PrometheusPoolMetrics', () => {
  it('counts degraded answers by tier and model', async () => {
    const metrics = new PrometheusPoolMetrics();
    metrics.degraded('cache', 'deepseek-v4-pro');
    metrics.degraded('cache', 'deepseek-v4-pro');
    metrics.degraded('fallback', 'deepseek-v4-pro');
    expect(await metricValues(metrics, 'deepseek_pool_degraded_total')).toEqual([
      { labels: { tier: 'cache', model: 'deepseek-v4-pro' }, value: 2 },
      { labels: { tier: 'fallback', model: 'deepseek-v4-pro' }, value: 1 },
    ]);
  });

  it('counts streams that broke after content by the key that broke and whether they were continued', async () => {
    const metrics = new PrometheusPoolMetrics();
    metrics.continuation({ fromKeyId: 'a', model: 'deepseek-v4-flash', outcome: 'continued' });
    metrics.continuation({ fromKeyId: 'a', model: 'deepseek-v4-flash', outcome: 'continued' });
    metrics.continuation({ fromKeyId: 'b', model: 'deepseek-v4-flash', outcome: 'no-capable-key' });
    expect(await metricValues(metrics, 'deepseek_pool_stream_continuations_total')).toEqual([
      { labels: { key_id: 'a', model: 'deepseek-v4-flash', outcome: 'continued' }, value: 2 },
      { labels: { key_id: 'b', model: 'deepseek-v4-flash', outcome: 'no-capable-key' }, value: 1 },
    ]);
  });

  it('counts hedges by the key hedged to, hedge races by which attempt won, skipped hedges by reason', async () => {
    const metrics = new PrometheusPoolMetrics();
    metrics.hedge({ keyId: 'b', model: 'deepseek-v4-flash', stream: false });
    metrics.hedge({ keyId: 'b', model: 'deepseek-v4-flash', stream: false });
    metrics.hedgeWin({ model: 'deepseek-v4-flash', winner: 'hedge', stream: false });
    metrics.hedgeWin({ model: 'deepseek-v4-flash', winner: 'primary', stream: false });
    metrics.hedgeSkip({ model: 'deepseek-v4-flash', reason: 'low-yield', stream: true });
    metrics.hedgeSkip({ model: 'deepseek-v4-flash', reason: 'low-yield', stream: true });
    expect(await metricValues(metrics, 'deepseek_pool_hedges_skipped_total')).toEqual([
      { labels: { model: 'deepseek-v4-flash', reason: 'low-yield', stream: 'true' }, value: 2 },
    ]);
    expect(await metricValues(metrics, 'deepseek_pool_hedges_total')).toEqual([
      { labels: { key_id: 'b', model: 'deepseek-v4-flash', stream: 'false' }, value: 2 },
    ]);
    expect(await metricValues(metrics, 'deepseek_pool_hedge_wins_total')).toEqual([
      { labels: { model: 'deepseek-v4-flash', outcome: 'hedge', stream: 'false' }, value: 1 },
      { labels: { model: 'deepseek-v4-flash', outcome: 'primary', stream: 'false' }, value: 1 },
    ]);
  });

  it('counts tokens of every kind but cost only for priced models, at the injected time', async () => {
    const metrics = new PrometheusPoolMetrics({ now: () => new Date('2026-01-05T12:00:00Z') });
    const usage = {
      prompt_tokens: 1_000_000,
      prompt_cache_hit_tokens: 0,
      prompt_cache_miss_tokens: 1_000_000,
      completion_tokens: 0,
      total_tokens: 1_000_000,
    };
    metrics.usage('a', 'deepseek-v4-flash', usage);
    metrics.usage('a', 'my-local-model', usage);
    expect(await metricValues(metrics, 'deepseek_pool_cost_usd_total')).toEqual([
      { labels: { key_id: 'a', model: 'deepseek-v4-flash' }, value: 0.15 },
    ]);
    expect(await metricValues(metrics, 'deepseek_pool_tokens_total')).toEqual([
      { labels: { key_id: 'a', model: 'deepseek-v4-flash', kind: 'prompt_cache_miss' }, value: 1_000_000 },
      { labels: { key_id: 'a', model: 'my-local-model', kind: 'prompt_cache_miss' }, value: 1_000_000 },
    ]);
  });

  it('observes latencies in seconds', async () => {
    const metrics = new PrometheusPoolMetrics();
    metrics.attempt({ keyId: 'a', model: 'm', outcome: 'timeout', latencyMs: 1_500, stream: true });
    const sums = (await metricValues(metrics, 'deepseek_pool_attempt_duration_seconds')).filter(
      (sample) => sample.labels.le === undefined,
    );
    expect(sums).toContainEqual({ labels: { key_id: 'a', outcome: 'timeout' }, value: 1.5 });
    expect(await metricValues(metrics, 'deepseek_pool_attempts_total')).toEqual([
      { labels: { key_id: 'a', outcome: 'timeout', status_class: 'none' }, value: 1 },
    ]);
  });
});

describe('registerSnapshotGauges', () => {
  it('reads the snapshot at each scrape: codes, cooldown seconds left, and removed keys disappear', async () => {
    const metrics = new PrometheusPoolMetrics();
    let keys = [
      keySnapshot('a', { state: 'cooling', cooldownUntilMs: 12_500, latencyEwmaMs: 250 }),
      keySnapshot('b', { state: 'open', breaker: 'open', inFlight: 2 }),
    ];
    registerSnapshotGauges(
      metrics.registry,
      () => ({ strategy: 'p2c-ewma', total: keys.length, available: 0, keys }) satisfies PoolSnapshot,
      () => 10_000,
    );
    expect(await metricValues(metrics, 'deepseek_pool_key_state')).toEqual([
      { labels: { key_id: 'a' }, value: 3 },
      { labels: { key_id: 'b' }, value: 4 },
    ]);
    expect(await metricValues(metrics, 'deepseek_pool_breaker_state')).toEqual([
      { labels: { key_id: 'a' }, value: 0 },
      { labels: { key_id: 'b' }, value: 2 },
    ]);
    expect(await metricValues(metrics, 'deepseek_pool_cooldown_seconds')).toEqual([
      { labels: { key_id: 'a' }, value: 2.5 },
      { labels: { key_id: 'b' }, value: 0 },
    ]);
    expect(await metricValues(metrics, 'deepseek_pool_latency_ewma_seconds')).toContainEqual({
      labels: { key_id: 'a' },
      value: 0.25,
    });
    expect(await metricValues(metrics, 'deepseek_pool_in_flight')).toContainEqual({
      labels: { key_id: 'b' },
      value: 2,
    });

    keys = [keys[1]];
    expect(await metricValues(metrics, 'deepseek_pool_in_flight')).toEqual([{ labels: { key_id: 'b' }, value: 2 }]);
  });
});
