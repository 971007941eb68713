import type { KeySnapshot } from 'nestjs-deepseek-pool';
import { must } from '../../../../test/support/must.js';
import type { PrometheusPoolMetrics } from './prometheus-pool-metrics.js';

/** Test fixture: a ready key's snapshot (its account is its id), with `overrides`. */
export function keySnapshot(id: string, overrides: Partial<KeySnapshot> = {}): KeySnapshot {
  return {
    id,
    maskedKey: 'sk-...abcd',
    account: id,
    priority: 0,
    weight: 1,
    state: 'ready',
    breaker: 'closed',
    inFlight: 0,
    maxConcurrency: null,
    latencyEwmaMs: 0,
    errorRate: 0,
    windowCalls: 0,
    tokens: { prompt: 0, completion: 0, cacheHit: 0, cacheMiss: 0, reasoning: 0 },
    ...overrides,
  };
}

/** Test fixture: the series of one metric of the registry, as labels and value. */
export async function metricValues(
  metrics: PrometheusPoolMetrics,
  name: string,
): Promise<Array<{ labels: Record<string, string | number | undefined>; value: number }>> {
  const metric = must(metrics.registry.getSingleMetric(name), `the metric ${name}`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels: { ...labels }, value }));
}
