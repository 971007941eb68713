import type { PoolEvents, PoolSnapshot } from 'nestjs-deepseek-pool';
import { Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './prometheus-pool-metrics.js';

/**
 * The gauges the alert rules (deploy/prometheus/alerts.yml) need beyond the per-key ones:
 * - `deepseek_pool_key_info{key_id, account}` = 1: joins a key to its account ("every key of an account is out");
 * - `deepseek_pool_key_quota_used_ratio{key_id}`: share used (0..1) of the tightest rate or quota limit of the key
 *   and its account, for keys with limits only (the 70 / 85 / 95% alerts);
 * - `deepseek_pool_shared_state_up`: 0 while the shared state store (Redis) is unreachable, else 1.
 * Snapshot gauges are read at scrape time; the store gauge follows the pool's `store.degraded` / `store.recovered`.
 */
export function registerAlertGauges(registry: Registry, snapshot: () => PoolSnapshot, events: PoolEvents): void {
  new Gauge({
    name: `${METRIC_PREFIX}key_info`,
    help: 'Always 1: the account of each key (join on key_id)',
    labelNames: ['key_id', 'account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const key of snapshot().keys) this.set({ key_id: key.id, account: key.account }, 1);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}key_quota_used_ratio`,
    help: 'Share used (0..1) of the tightest rate or quota limit of the key and its account; keys with limits only',
    labelNames: ['key_id'],
    registers: [registry],
    collect() {
      this.reset();
      for (const key of snapshot().keys)
        if (key.headroom !== undefined) this.set({ key_id: key.id }, Math.round((1 - key.headroom) * 1000) / 1000);
    },
  });
  const storeUp = new Gauge({
    name: `${METRIC_PREFIX}shared_state_up`,
    help: '0 while the shared state store (Redis) is unreachable and this replica serves on local state, else 1',
    registers: [registry],
  });
  storeUp.set(1);
  events.on('store.degraded', () => storeUp.set(0));
  events.on('store.recovered', () => storeUp.set(1));
}
