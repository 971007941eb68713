import type { Clock, Rng } from '../clock.js';
import type { PoolEvents } from '../deepseek-pool.events.js';
import { accountShare } from '../routing/account-limits.js';
import { type PoolStateStore, accountScope, keyScope } from '../state/pool-state-store.js';
import type { Action } from './outcome.js';
import { cooldownMs } from './cooldown.js';
import { cappedHint } from './retry-after.js';

/** What an action reads and writes of the key whose attempt failed (KeySlot is one). */
export interface PenalizedKey {
  readonly id: string;
  readonly config: { readonly account: string };
  /** 429s in a row, for the cooldown's exponential growth. */
  consecutiveRateLimits: number;
}

export interface ActionContext {
  store: PoolStateStore;
  clock: Clock;
  rng: Rng;
  /** `maxRetryAfterMs` caps every upstream Retry-After hint. */
  cooldown: { baseMs: number; maxMs: number; maxRetryAfterMs: number };
  /** The retry backoff: a full account pauses for its first step (a slot frees as soon as one of its calls ends). */
  backoff: { baseMs: number; maxMs: number };
  events: PoolEvents;
  /** Every slot of an account, for account-wide actions (402, concurrency 429). */
  slotsOfAccount(account: string): ReadonlyArray<{ readonly id: string }>;
  /** Records the account concurrency limit an upstream reported in its 429. */
  learnAccountLimit(account: string, limit: number): void;
}

/**
 * Applies a classified outcome to shared state: cool down, cap or disable the key or its account.
 * `accountInFlightAtSend`: the account's in-flight count when the failed attempt was sent (itself included).
 */
export function applyAction(
  action: Action,
  slot: PenalizedKey,
  ctx: ActionContext,
  accountInFlightAtSend: number,
): void {
  const floorMs =
    action.type === 'cooldown' || action.type === 'saturated'
      ? cappedHint(action.floorMs, ctx.cooldown.maxRetryAfterMs)
      : undefined;
  if (action.type === 'cooldown') {
    slot.consecutiveRateLimits += 1;
    coolDown(
      action.scope === 'account' ? accountScope(slot.config.account) : keyScope(slot.id),
      cooldownMs(slot.consecutiveRateLimits, ctx.rng, ctx.cooldown, floorMs),
      slot,
      ctx,
    );
  } else if (action.type === 'saturated') {
    const account = slot.config.account;
    ctx.learnAccountLimit(account, accountShare(action.limit, accountInFlightAtSend, action.current));
    // A brief pause of the account (one backoff step, never growing) so the retry goes to another account and a
    // client sharing the account gets a moment to finish; the cap, not the pause, keeps it under its limit.
    coolDown(accountScope(account), cooldownMs(1, ctx.rng, ctx.backoff, floorMs), slot, ctx);
  } else if (action.type === 'disable') {
    const targets = action.scope === 'account' ? ctx.slotsOfAccount(slot.config.account) : [slot];
    for (const target of targets) {
      if (ctx.store.disabled(target.id)?.reason === action.reason) continue;
      ctx.store.disable(target.id, { reason: action.reason, sinceMs: ctx.clock.now() });
      ctx.events.emit('key.disabled', { keyId: target.id, reason: action.reason });
    }
  }
}

function coolDown(scope: string, forMs: number, slot: PenalizedKey, ctx: ActionContext): void {
  ctx.store.cooldown(scope, ctx.clock.now() + forMs);
  ctx.events.emit('key.cooldown', {
    scope,
    untilMs: ctx.store.cooldownUntil(scope),
    consecutive: slot.consecutiveRateLimits,
  });
}
