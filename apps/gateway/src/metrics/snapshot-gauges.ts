import type { BreakerState, KeySnapshot, KeyState, PoolSnapshot } from 'nestjs-deepseek-pool';
import { Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './prometheus-pool-metrics.js';

/** `deepseek_pool_breaker_state` values. */
export const BREAKER_STATE_CODES: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * `deepseek_pool_key_state` values, ordered by severity so `max` means "worst" and a heatmap reads green to red.
 * Over a rate or quota limit shares cooling's code: both are rate limiting that ends by itself.
 */
export const KEY_STATE_CODES: Readonly<Record<KeyState, number>> = {
  ready: 0,
  'half-open': 1,
  saturated: 2,
  cooling: 3,
  'over-limit': 3,
  open: 4,
  disabled: 5,
};

const codes = (table: Readonly<Record<string, number>>): string =>
  Object.entries(table)
    .map(([name, code]) => `${code} ${name}`)
    .join(', ');

/** Per-key gauges read from the pool snapshot at scrape time: nothing is updated in the request path. */
const KEY_GAUGES: ReadonlyArray<{ name: string; help: string; value: (key: KeySnapshot, nowMs: number) => number }> = [
  { name: 'in_flight', help: 'Requests in flight on the key', value: (key) => key.inFlight },
  {
    name: 'breaker_state',
    help: `Circuit breaker state of the key (${codes(BREAKER_STATE_CODES)})`,
    value: (key) => BREAKER_STATE_CODES[key.breaker],
  },
  {
    name: 'key_state',
    help: `Routing state of the key (${codes(KEY_STATE_CODES)})`,
    value: (key) => KEY_STATE_CODES[key.state],
  },
  {
    name: 'cooldown_seconds',
    help: 'Seconds until the key (or its account) leaves its cooldown; 0 when not cooling',
    value: (key, nowMs) => Math.max(0, (key.cooldownUntilMs ?? nowMs) - nowMs) / 1000,
  },
  {
    name: 'latency_ewma_seconds',
    help: 'Peak-EWMA latency of the key, as the router sees it',
    value: (key) => key.latencyEwmaMs / 1000,
  },
  { name: 'error_rate', help: "Error ratio (0..1) in the key's breaker window", value: (key) => key.errorRate },
];

/** Registers the per-key gauges (label `key_id`); each scrape reads `snapshot()`, so removed keys disappear. */
export function registerSnapshotGauges(
  registry: Registry,
  snapshot: () => PoolSnapshot,
  nowMs: () => number = Date.now,
): void {
  for (const { name, help, value } of KEY_GAUGES) {
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['key_id'],
      registers: [registry],
      collect() {
        this.reset();
        const now = nowMs();
        for (const key of snapshot().keys) this.set({ key_id: key.id }, value(key, now));
      },
    });
  }
}
