import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import type { BreakerState } from '../keys/key-breaker.js';
import type { KeySnapshot, KeyState, PoolSnapshot } from '../pool-snapshot.js';

/**
 * The pool's statuses (terminus 12's indicator statuses; terminus 11 reports `degraded` as `up`, see the indicator).
 */
export type PoolHealthStatus = 'up' | 'degraded' | 'down';

/** States in which a key can take requests. Saturated is busy, not broken: load alone never fails readiness. */
const SERVING: ReadonlySet<KeyState> = new Set<KeyState>(['ready', 'half-open', 'saturated']);

/** One key in health output: by id and masked key, never the secret. */
export interface KeyHealth {
  /** The key masked by maskKey: `sk-...` and at most its last 4 characters. */
  maskedKey: string;
  /** Its account name. */
  account: string;
  /** Why it can or cannot take a request now. */
  state: KeyState;
  /** Its breaker's state. */
  breaker: BreakerState;
  /** Why it is disabled, when disabled. */
  disabledReason?: string;
  /** ISO time the cooldown ends, while cooling. */
  cooldownUntil?: string;
  /** Latency EWMA (PeakEWMA), ms. */
  latencyEwmaMs: number;
  /** Share (0..1) of failed calls in its breaker's rolling window. */
  errorRate: number;
  /** Requests in flight on it. */
  inFlight: number;
}

/** The indicator's details beside `status` (a type alias: terminus wants an indexable record). */
export type PoolHealthDetails = {
  /** Keys that can take requests (ready, half-open, saturated). */
  servingKeys: number;
  totalKeys: number;
  minHealthyKeys: number;
  /** Per key, by id. */
  keys: Record<string, KeyHealth>;
  /**
   * Set on terminus 11, which has no `degraded` status: the pool is degraded, reported `up` because it still serves.
   */
  degraded?: true;
};

/** Whether a key can take requests now. */
export function isServing(key: Pick<KeySnapshot, 'state'>): boolean {
  return SERVING.has(key.state);
}

/**
 * up: every key serves; degraded: at least `minHealthyKeys` serve but some are out; down: fewer than `minHealthyKeys`
 * serve.
 */
export function poolHealthStatus(serving: number, total: number, minHealthyKeys: number): PoolHealthStatus {
  if (serving < minHealthyKeys) return 'down';
  return serving < total ? 'degraded' : 'up';
}

/** Validates `minHealthyKeys` (an integer >= 1). */
export function minHealthyKeysOf(value: unknown = 1): number {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new InvalidOptionsError('minHealthyKeys', `must be an integer >= 1 (got ${String(value)})`);
  return value as number;
}

/** The pool's health from its snapshot: status and secret-free details. O(keys), no I/O. */
export function assessPool(
  snapshot: PoolSnapshot,
  minHealthyKeys: number,
): { status: PoolHealthStatus; details: PoolHealthDetails } {
  const servingKeys = snapshot.keys.filter(isServing).length;
  return {
    status: poolHealthStatus(servingKeys, snapshot.total, minHealthyKeys),
    details: {
      servingKeys,
      totalKeys: snapshot.total,
      minHealthyKeys,
      keys: Object.fromEntries(snapshot.keys.map((key) => [key.id, keyHealth(key)])),
    },
  };
}

function keyHealth(key: KeySnapshot): KeyHealth {
  const cooldownUntil = isoTime(key.cooldownUntilMs);
  return {
    maskedKey: key.maskedKey,
    account: key.account,
    state: key.state,
    breaker: key.breaker,
    ...(key.disabledReason === undefined ? {} : { disabledReason: key.disabledReason }),
    ...(cooldownUntil === undefined ? {} : { cooldownUntil }),
    latencyEwmaMs: key.latencyEwmaMs,
    errorRate: key.errorRate,
    inFlight: key.inFlight,
  };
}

/** A time as ISO text, or undefined for none or one no Date can hold (a health check never throws on a bad value). */
function isoTime(ms: number | undefined): string | undefined {
  const date = new Date(ms ?? Number.NaN);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
