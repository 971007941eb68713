import type { LimitedKey } from '../limits/quota-guard.js';

/**
 * What routing reads of a key: identity, account and priority, load, latency and the inputs of eligibility. KeySlot is
 * one; a plain object is another (specs). Routing never writes to it.
 */
export interface RoutableKey extends LimitedKey {
  /** Priority: lower numbers are tried first. */
  readonly priority: number;
  /** Relative capacity share, > 0. */
  readonly weight: number;
  /** Requests in flight on this key now. */
  readonly inFlight: number;
  /** Concurrency cap (Infinity when unlimited). */
  readonly maxConcurrency: number;
  /** Set while an operator removes the key: it takes no new request. */
  readonly draining: boolean;
  /** When the breaker last opened (epoch ms). */
  readonly openedAtMs: number;
  /** The key's circuit breaker, as far as admission goes. */
  readonly breaker: { readonly admits: boolean };
  /** Peak-EWMA latency, read once per pick (0 until the first sample). */
  readonly latency: { valueAt(nowMs: number): number };
  /** Whether the key serves `model` (after its model map). */
  serves(model: string): boolean;
}
