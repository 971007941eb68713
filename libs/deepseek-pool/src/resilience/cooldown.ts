import type { Rng } from '../clock.js';
import { cappedExponentialMs, type ExponentialPolicy } from './backoff.js';

/**
 * How long to cool a key after its `consecutive`-th 429 in a row (1 for the first): exponential with
 * "equal jitter" (half fixed, half random), never below `floorMs` (Retry-After), which may exceed `maxMs`.
 */
export function cooldownMs(consecutive: number, rng: Rng, policy: ExponentialPolicy, floorMs?: number): number {
  const half = cappedExponentialMs(consecutive, policy) / 2;
  return Math.max(half + rng() * half, floorMs ?? 0);
}

/** The deadline to keep when a cooling key is cooled again: the later one, so re-cooling never shortens it. */
export function laterDeadline(current: number | undefined, next: number): number {
  return current === undefined ? next : Math.max(current, next);
}
