import type { QuotaView } from '../limits/quota-guard.js';
import type { PoolStateStore } from '../state/pool-state-store.js';
import type { RoutableKey } from '../keys/routable-key.js';

/** Why a key cannot take a request now (undefined: it can). */
export type Ineligibility = 'model' | 'disabled' | 'cooling' | 'open' | 'over-limit' | 'saturated';

/** The facts eligibility is decided on, read once per decision. */
export interface EligibilityContext {
  nowMs: number;
  store: PoolStateStore;
  accountLimit(account: string): number;
  /** Rate and quota limits of keys and accounts; absent when none is configured. */
  quota?: QuotaView;
}

/** Decides whether `key` can serve `model` (any model when undefined) now. Pure over its inputs; O(1). */
export function ineligibility(
  key: RoutableKey,
  model: string | undefined,
  ctx: EligibilityContext,
): Ineligibility | undefined {
  if (model !== undefined && !key.serves(model)) return 'model';
  if (key.draining || ctx.store.disabled(key.id) !== undefined) return 'disabled';
  if (cooldownEnd(key, ctx) > ctx.nowMs) return 'cooling';
  if (!key.breaker.admits) return 'open';
  if (ctx.quota?.blocked(key, ctx.nowMs)) return 'over-limit';
  if (
    key.inFlight >= key.maxConcurrency ||
    ctx.store.accountInFlight(key.config.account) >= ctx.accountLimit(key.config.account)
  )
    return 'saturated';
  return undefined;
}

/** The later of the key's and its account's cooldown deadlines. */
export function cooldownEnd(
  key: Pick<RoutableKey, 'keyScope' | 'accountScope'>,
  ctx: Pick<EligibilityContext, 'store'>,
): number {
  return Math.max(ctx.store.cooldownUntil(key.keyScope), ctx.store.cooldownUntil(key.accountScope));
}
