import { accountScope, keyScope } from '../state/pool-state-store.js';
import type { RoutableKey } from './routable-key.js';

/** Plain key fields a test may set; `latencyMs` stands for the key's latency estimate. */
export type RoutableKeyFields = Partial<
  Pick<RoutableKey, 'priority' | 'weight' | 'inFlight' | 'maxConcurrency' | 'draining' | 'openedAtMs'>
> & { account?: string; admits?: boolean; latencyMs?: number; models?: readonly string[] };

/**
 * Test fixture: a frozen plain key (frozen: routing must never write to a key), of account `a`, priority 0, weight 1,
 * idle and uncapped, breaker closed, 100 ms latency, serving every model unless `models` is given.
 */
export function routableKey(id: string, fields: RoutableKeyFields = {}): RoutableKey {
  const { account = 'a', admits = true, latencyMs = 100, models, ...rest } = fields;
  return Object.freeze({
    id,
    config: Object.freeze({ account }),
    keyScope: keyScope(id),
    accountScope: accountScope(account),
    priority: 0,
    weight: 1,
    inFlight: 0,
    maxConcurrency: Infinity,
    draining: false,
    openedAtMs: 0,
    ...rest,
    breaker: Object.freeze({ admits }),
    latency: Object.freeze({ valueAt: () => latencyMs }),
    serves: (model: string) => models === undefined || models.includes(model),
  });
}
