import type { DeepSeekPoolOptions, StrategyName } from 'nestjs-deepseek-pool';
import type { ProfileName } from '../lib/suite.js';

/**
 * The time limits every client gets alike: an attempt that has not answered (or, for the pool, not sent
 * content) within ATTEMPT_TIMEOUT_MS is abandoned; every request is given up by its caller after
 * REQUEST_DEADLINE_MS. At most MAX_ATTEMPTS upstream attempts per request (Portkey's config allows 4).
 */
export const ATTEMPT_TIMEOUT_MS = 1_000;
export const REQUEST_DEADLINE_MS = 4_000;
export const MAX_ATTEMPTS = 3;
/** How long the naive rotator skips a key after a 429 (the common hand-written value). */
export const NAIVE_SKIP_MS = 60_000;
/** The pool's breaker waits this long before half-open probes (default 15 s, scaled to the scenarios' seconds). */
export const BREAKER_RESET_MS = 750;

/** The pool's options in every scenario: defaults, except the time limits above and the scaled breaker reset. */
export function benchPoolOptions(strategy: StrategyName): Omit<DeepSeekPoolOptions, 'keys'> {
  return {
    strategy,
    logger: false,
    retry: { maxAttempts: MAX_ATTEMPTS },
    timeouts: {
      firstByteMs: ATTEMPT_TIMEOUT_MS,
      firstContentMs: ATTEMPT_TIMEOUT_MS,
      idleMs: ATTEMPT_TIMEOUT_MS,
      attemptMs: 2 * ATTEMPT_TIMEOUT_MS,
      requestMs: REQUEST_DEADLINE_MS,
    },
    breaker: { resetTimeoutMs: BREAKER_RESET_MS },
  };
}

/** Phase lengths of a run, ms. */
export interface Phases {
  baselineMs: number;
  faultMs: number;
  recoveryMs: number;
}

export const PHASES: Record<ProfileName, Phases> = {
  smoke: { baselineMs: 200, faultMs: 600, recoveryMs: 300 },
  quick: { baselineMs: 200, faultMs: 900, recoveryMs: 1_000 },
  full: { baselineMs: 1_000, faultMs: 4_000, recoveryMs: 4_000 },
};

/** This library's strategies measured here (add a new one once it can run without extra configuration). */
export const STRATEGIES = [
  'p2c-ewma',
  'least-connections',
  'round-robin',
  'weighted-random',
] as const satisfies readonly StrategyName[];
