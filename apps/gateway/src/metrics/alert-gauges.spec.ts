import { describe, expect, it } from '@jest/globals';
import { type KeySnapshot, PoolEvents, type PoolSnapshot } from 'nestjs-deepseek-pool';
import { must } from '../../../../test/support/must.js';
import { registerAlertGauges } from './alert-gauges.js';
import { PrometheusPoolMetrics } from './prometheus-pool-metrics.js';

const key = (id: string, account: string, headroom?: number): KeySnapshot => ({
  id,
  account,
  maskedKey: 'sk-...abcd',
  priority: 0,
  weight: 1,
  state: 'ready',
  breaker: 'closed',
  inFlight: 0,
  maxConcurrency: null,
  latencyEwmaMs: 0,
  errorRate: 0,
  windowCalls: 0,
  ...(headroom === undefined ? {} : { headroom }),
  tokens: { prompt: 0, completion: 0, cacheHit: 0, cacheMiss: 0, reasoning: 0 },
});

async function values(metrics: PrometheusPoolMetrics, name: string): Promise<Array<{ labels: object; value: number }>> {
  const metric = must(metrics.registry.getSingleMetric(name), `the metric ${name}`);
  return ((await metric.get()).values as Array<{ labels: object; value: number }>).map(({ labels, value }) => ({
    labels,
    value,
  }));
}

describe('registerAlertGauges', () => {
  it('joins each key to its account, reports the share used of limited keys only, and follows the shared store', async () => {
    const metrics = new PrometheusPoolMetrics();
    const events = new PoolEvents();
    const keys = [key('a', 'main', 0.12), key('b', 'main'), key('c', 'spare', 1)];
    registerAlertGauges(
      metrics.registry,
      () => ({ strategy: 'p2c-ewma', total: 3, available: 3, keys }) satisfies PoolSnapshot,
      events,
    );

    expect(await values(metrics, 'deepseek_pool_key_info')).toEqual([
      { labels: { key_id: 'a', account: 'main' }, value: 1 },
      { labels: { key_id: 'b', account: 'main' }, value: 1 },
      { labels: { key_id: 'c', account: 'spare' }, value: 1 },
    ]);
    expect(await values(metrics, 'deepseek_pool_key_quota_used_ratio')).toEqual([
      { labels: { key_id: 'a' }, value: 0.88 },
      { labels: { key_id: 'c' }, value: 0 },
    ]);

    expect(await values(metrics, 'deepseek_pool_shared_state_up')).toEqual([{ labels: {}, value: 1 }]);
    events.emit('store.degraded', { error: 'connection closed' });
    expect(await values(metrics, 'deepseek_pool_shared_state_up')).toEqual([{ labels: {}, value: 0 }]);
    events.emit('store.recovered', { downMs: 1200 });
    expect(await values(metrics, 'deepseek_pool_shared_state_up')).toEqual([{ labels: {}, value: 1 }]);
  });
});
