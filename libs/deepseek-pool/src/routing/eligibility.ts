import type { KeySlot } from '../keys/key-slot.js';
import type { QuotaView } from '../limits/quota-guard.js';
import type { PoolStateStore } from '../state/pool-state-store.js';

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

/** Decides whether `slot` can serve `model` (any model when undefined) now. Pure over its inputs; O(1). */
export function ineligibility(
  slot: KeySlot,
  model: string | undefined,
  ctx: EligibilityContext,
): Ineligibility | undefined {
  if (model !== undefined && !slot.serves(model)) return 'model';
  if (slot.draining || ctx.store.disabled(slot.id) !== undefined) return 'disabled';
  if (cooldownEnd(slot, ctx) > ctx.nowMs) return 'cooling';
  if (!slot.breaker.admits) return 'open';
  if (ctx.quota?.blocked(slot, ctx.nowMs)) return 'over-limit';
  if (slot.saturated || ctx.store.accountInFlight(slot.config.account) >= ctx.accountLimit(slot.config.account))
    return 'saturated';
  return undefined;
}

/** The later of the key's and its account's cooldown deadlines. */
export function cooldownEnd(slot: KeySlot, ctx: Pick<EligibilityContext, 'store'>): number {
  return Math.max(ctx.store.cooldownUntil(slot.keyScope), ctx.store.cooldownUntil(slot.accountScope));
}
