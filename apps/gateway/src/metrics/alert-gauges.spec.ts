import { describe, expect, it } from '@jest/globals';
import { type KeySnapshot, PoolEvents, type PoolSnapshot } from 'nestjs-deepseek-pool';
import { registerAlertGauges } from './alert-gauges.js';
import { keySnapshot, metricValues } from './metric-values.fixture.js';
import { PrometheusPoolMetrics } from './prometheus-pool-metrics.js';

const key = (id: string, account: string, headroom?: number): KeySnapshot =>
  keySnapshot(id, { account, ...(headroom === undefined ? {} : { headroom }) });

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

    expect(await metricValues(metrics, 'deepseek_pool_key_info')).toEqual([
      { labels: { key_id: 'a', account: 'main' }, value: 1 },
      { labels: { key_id: 'b', account: 'main' }, value: 1 },
      { labels: { key_id: 'c', account: 'spare' }, value: 1 },
    ]);
    expect(await metricValues(metrics, 'deepseek_pool_key_quota_used_ratio')).toEqual([
      { labels: { key_id: 'a' }, value: 0.88 },
      { labels: { key_id: 'c' }, value: 0 },
    ]);

    expect(await metricValues(metrics, 'deepseek_pool_shared_state_up')).toEqual([{ labels: {}, value: 1 }]);
    events.emit('store.degraded', { error: 'connection closed' });
    expect(await metricValues(metrics, 'deepseek_pool_shared_state_up')).toEqual([{ labels: {}, value: 0 }]);
    events.emit('store.recovered', { downMs: 1200 });
    expect(await metricValues(metrics, 'deepseek_pool_shared_state_up')).toEqual([{ labels: {}, value: 1 }]);
  });
});
