import type { Rng } from '../clock.js';
import type { Candidate, Strategy } from './strategy.js';

/** Stateless weighted random: one rng draw in [0, total weight), found on the cumulative sum. */
export function createWeightedRandomStrategy(): Strategy {
  return {
    name: 'weighted-random',
    pick<C extends Candidate>(candidates: readonly C[], rng: Rng): C {
      let total = 0;
      for (const c of candidates) total += c.weight;
      let remaining = rng() * total;
      for (const c of candidates) {
        remaining -= c.weight;
        if (remaining < 0) return c;
      }
      return candidates[candidates.length - 1];
    },
  };
}
