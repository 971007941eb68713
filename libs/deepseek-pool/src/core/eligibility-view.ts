import type { Clock } from '../clock.js';
import type { EligibilityContext } from '../routing/eligibility.js';

/** The eligibility facts that do not change with time: state store, limits. */
export type EligibilityFacts = Readonly<Omit<EligibilityContext, 'nowMs'>>;

/** What the attempt loop reads: the facts, and `refresh()` for a context as of now before each decision. */
export type LoopEligibility = EligibilityContext & { refresh(): EligibilityContext };

/** A new context on every call, as of `clock.now()`: nothing is shared or updated in place, so nothing goes stale. */
export function eligibilityNow(clock: Clock, facts: EligibilityFacts): () => EligibilityContext {
  return () => ({ ...facts, nowMs: clock.now() });
}

/**
 * The loop's read-only view of the same facts: `nowMs` reads the clock, and `refresh()` returns a new context as
 * of now (it changes nothing).
 */
export function loopEligibility(clock: Clock, facts: EligibilityFacts): LoopEligibility {
  return {
    ...facts,
    get nowMs() {
      return clock.now();
    },
    refresh: eligibilityNow(clock, facts),
  };
}
