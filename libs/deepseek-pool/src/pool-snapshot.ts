import type { KeySlot, TokenTotals } from './keys/key-slot.js';
import type { BreakerState } from './keys/key-breaker.js';
import { type EligibilityContext, cooldownEnd, ineligibility } from './routing/eligibility.js';
import type { StrategyName } from './routing/strategy.js';

/**
 * Why a key can or cannot take a request now: `ready`; `cooling` (after a 429); `open` / `half-open` (its breaker);
 * `disabled` (401, 402 or by hand); `over-limit` (a rate or quota limit); `saturated` (at its in-flight cap).
 */
export type KeyState = 'ready' | 'cooling' | 'open' | 'half-open' | 'disabled' | 'over-limit' | 'saturated';

/** One key as health checks, metrics, logs and the status page see it: never the secret. */
export interface KeySnapshot {
  /** The key's `id` (default `key-1`, `key-2`, ... by position). */
  id: string;
  /** The key masked by maskKey: `sk-...` and at most its last 4 characters. */
  maskedKey: string;
  /** Its account name (default: its own id). */
  account: string;
  /** Its priority: lower is tried first. */
  priority: number;
  /** Its routing weight. */
  weight: number;
  /** Why it can or cannot take a request now. */
  state: KeyState;
  /** Why it is disabled (`revoked`, `forbidden`, `insufficient-balance` or `manual`), when disabled. */
  disabledReason?: string;
  /** Its breaker's state. */
  breaker: BreakerState;
  /** Requests in flight on it. */
  inFlight: number;
  /** Its in-flight cap, or null for none. */
  maxConcurrency: number | null;
  /** Latency EWMA (PeakEWMA), ms. */
  latencyEwmaMs: number;
  /** Share (0..1) of failed calls in its breaker's rolling window. */
  errorRate: number;
  /** Calls in its breaker's rolling window. */
  windowCalls: number;
  /** Epoch ms when the cooldown ends, when cooling. */
  cooldownUntilMs?: number;
  /** Share (0..1) left of the tightest rate or quota limit of the key and its account, when either has limits. */
  headroom?: number;
  /** Epoch ms when the key is back under its limits, while over one. */
  limitedUntilMs?: number;
  /** Tokens it has served since the pool started (this process). */
  tokens: TokenTotals;
}

/** The pool's state from this replica's view (`DeepSeekPoolService.snapshot()`): no secret in it. */
export interface PoolSnapshot {
  /** The routing strategy in use. */
  strategy: StrategyName;
  /** Keys configured. */
  total: number;
  /** Keys that could take a request now. */
  available: number;
  /** Every key, in configuration order. */
  keys: KeySnapshot[];
}

/** Builds the snapshot from local state. O(keys), no I/O. */
export function snapshotPool(slots: readonly KeySlot[], ctx: EligibilityContext, strategy: StrategyName): PoolSnapshot {
  const keys = slots.map((slot) => snapshotKey(slot, ctx));
  return {
    strategy,
    total: keys.length,
    available: keys.filter((k) => k.state === 'ready' || k.state === 'half-open').length,
    keys,
  };
}

/** One key's snapshot. O(1), no I/O. */
export function snapshotKey(slot: KeySlot, ctx: EligibilityContext): KeySnapshot {
  const disabled = ctx.store.disabled(slot.id);
  const cooldownUntilMs = cooldownEnd(slot, ctx);
  const window = slot.breaker.window;
  const state = stateOf(slot, ctx);
  const quota = ctx.quota?.hasLimits(slot) ? ctx.quota : undefined;
  return {
    id: slot.id,
    maskedKey: slot.config.masked,
    account: slot.config.account,
    priority: slot.config.priority,
    weight: slot.config.weight,
    state,
    ...(disabled ? { disabledReason: disabled.reason } : {}),
    breaker: slot.breakerState,
    inFlight: slot.inFlight,
    maxConcurrency: Number.isFinite(slot.config.maxConcurrency) ? slot.config.maxConcurrency : null,
    latencyEwmaMs: Math.round(slot.latency.valueAt(ctx.nowMs) * 10) / 10,
    errorRate: Math.round(window.errorRate * 1000) / 1000,
    windowCalls: window.calls,
    ...(cooldownUntilMs > ctx.nowMs ? { cooldownUntilMs } : {}),
    ...(quota ? { headroom: Math.round(quota.headroom(slot, ctx.nowMs) * 1000) / 1000 } : {}),
    ...(quota && state === 'over-limit' ? { limitedUntilMs: ctx.nowMs + quota.blockedForMs(slot, ctx.nowMs) } : {}),
    tokens: { ...slot.tokens },
  };
}

function stateOf(slot: KeySlot, ctx: EligibilityContext): KeyState {
  const reason = ineligibility(slot, undefined, ctx);
  if (reason === 'open' && slot.breakerState === 'half-open') return 'half-open';
  if (reason === undefined) return slot.breakerState === 'half-open' ? 'half-open' : 'ready';
  return reason === 'model' ? 'ready' : reason;
}
