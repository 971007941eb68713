import type { Rng } from '../clock.js';

/** Base and cap of an exponential delay, in ms. */
export interface ExponentialPolicy {
  baseMs: number;
  maxMs: number;
}

/** Largest exponent applied, so huge attempt numbers stay finite (2^52 ms outgrows any cap). */
const MAX_EXPONENT = 52;

/** `min(maxMs, baseMs * 2^(n-1))` for the n-th (1-based) attempt; n below 1 counts as 1. */
export function cappedExponentialMs(n: number, policy: ExponentialPolicy): number {
  const exponent = Math.min(Math.max(n, 1) - 1, MAX_EXPONENT);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/** AWS "full jitter" delay before retry `attempt` (1-based): uniform in [0, min(max, base * 2^(attempt-1))). */
export function backoffMs(attempt: number, rng: Rng, policy: ExponentialPolicy): number {
  return rng() * cappedExponentialMs(attempt, policy);
}
