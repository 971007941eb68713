import type { Clock, Rng } from '../clock.js';
import type { PoolEvents } from '../deepseek-pool.events.js';
import type { KeySlot } from '../keys/key-slot.js';
import { type PoolStateStore, accountScope, keyScope } from '../state/pool-state-store.js';
import type { Action } from './outcome.js';
import { cooldownMs } from './cooldown.js';

export interface ActionContext {
  store: PoolStateStore;
  clock: Clock;
  rng: Rng;
  cooldown: { baseMs: number; maxMs: number };
  events: PoolEvents;
  /** Every slot of an account, for account-wide actions (402, concurrency 429). */
  slotsOfAccount(account: string): KeySlot[];
  /** Records the account concurrency limit an upstream reported in its 429. */
  learnAccountLimit(account: string, limit: number): void;
}

/** Applies a classified outcome to shared state: cool down or disable the key or its account. */
export function applyAction(action: Action, slot: KeySlot, ctx: ActionContext): void {
  if (action.type === 'cooldown') {
    slot.consecutiveRateLimits += 1;
    const untilMs = ctx.clock.now() + cooldownMs(slot.consecutiveRateLimits, ctx.rng, ctx.cooldown, action.floorMs);
    const scope = action.scope === 'account' ? accountScope(slot.config.account) : keyScope(slot.id);
    ctx.store.cooldown(scope, untilMs);
    if (action.accountConcurrencyLimit !== undefined) ctx.learnAccountLimit(slot.config.account, action.accountConcurrencyLimit);
    ctx.events.emit('key.cooldown', { scope, untilMs: ctx.store.cooldownUntil(scope), consecutive: slot.consecutiveRateLimits });
  } else if (action.type === 'disable') {
    const targets = action.scope === 'account' ? ctx.slotsOfAccount(slot.config.account) : [slot];
    for (const target of targets) {
      if (ctx.store.disabled(target.id)?.reason === action.reason) continue;
      ctx.store.disable(target.id, { reason: action.reason, sinceMs: ctx.clock.now() });
      ctx.events.emit('key.disabled', { keyId: target.id, reason: action.reason });
    }
  }
}
