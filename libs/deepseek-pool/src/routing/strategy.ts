import type { Rng } from '../clock.js';

/**
 * What a strategy sees of one eligible key. The router fills these from the key's live figures for each pick;
 * strategies are pure functions of (candidates, rng, own cursor state) and never mutate a candidate.
 */
export interface Candidate {
  readonly id: string;
  /** Relative capacity share, > 0. */
  readonly weight: number;
  /** Requests in flight on this key right now. */
  readonly inFlight: number;
  /** Key concurrency cap (Infinity when unlimited). */
  readonly maxConcurrency: number;
  /** Peak-EWMA latency in ms (0 until the first sample: unmeasured keys are explored first). */
  readonly latencyMs: number;
  /** Lowest latency EWMA seen across the pool's keys recently, ms (>= 0); used by least-connections. */
  readonly baselineLatencyMs: number;
  /**
   * Share (0..1) left of the tightest rate or quota limit of the key and its account; 1 without limits. Used by
   * quota-aware.
   */
  readonly headroom: number;
}

export interface Strategy {
  readonly name: StrategyName;
  /**
   * True when the strategy only ever compares two uniformly drawn candidates (power of two choices): the router may
   * then hand it two eligible keys it sampled at random instead of scanning the priority group, O(1) in the number of
   * keys.
   */
  readonly pairwise?: boolean;
  /** Picks one of `candidates` (all eligible, same priority, length >= 1) and returns it as given. */
  pick<C extends Candidate>(candidates: readonly C[], rng: Rng): C;
}

/**
 * How a key is picked among the eligible keys of the best priority group. Default `p2c-ewma` (two random keys, the
 * lower latency EWMA times load wins); `quota-aware` prefers the most headroom under limits.
 */
export type StrategyName = 'p2c-ewma' | 'least-connections' | 'round-robin' | 'weighted-random' | 'quota-aware';
