import type { Rng } from '../clock.js';
import type { Candidate, Strategy } from './strategy.js';

/** Expected cost of sending one more request to `c`: lower is better. */
function cost(c: Candidate): number {
  return ((c.latencyMs + 1) * (c.inFlight + 1)) / c.weight;
}

/**
 * Power of two choices over PeakEWMA latency: draws two distinct candidates and keeps the cheaper
 * (ties: the first drawn). O(1) in the number of candidates, no allocation.
 */
export function createP2cEwmaStrategy(): Strategy {
  return {
    name: 'p2c-ewma',
    pairwise: true,
    pick<C extends Candidate>(candidates: readonly C[], rng: Rng): C {
      const n = candidates.length;
      if (n === 1) return candidates[0];
      const i = Math.floor(rng() * n);
      const j = Math.floor(rng() * (n - 1));
      const first = candidates[i];
      const second = candidates[j >= i ? j + 1 : j];
      return cost(second) < cost(first) ? second : first;
    },
  };
}
