import type { Rng } from '../clock.js';
import type { Candidate, Strategy } from './strategy.js';

/** Share of the key's concurrency still free; `1/(inFlight+1)` when the key has no cap. */
function capacity(c: Candidate): number {
  return Number.isFinite(c.maxConcurrency) && c.maxConcurrency > 0
    ? 1 - c.inFlight / c.maxConcurrency
    : 1 / (c.inFlight + 1);
}

/** How much faster than the pool's best the key is (1 when either latency is unknown). */
function latencyFactor(c: Candidate): number {
  return c.baselineLatencyMs > 0 && c.latencyMs > 0 ? c.baselineLatencyMs / c.latencyMs : 1;
}

/** Dynamic weighted least-connections score: higher is better. */
function score(c: Candidate): number {
  return c.weight * capacity(c) * latencyFactor(c);
}

/**
 * Dynamic weighted least connections: the highest `weight * free capacity * latency factor` wins;
 * ties are broken uniformly with the rng (one pass, reservoir style) so equal keys share traffic.
 */
export function createLeastConnectionsStrategy(): Strategy {
  return {
    name: 'least-connections',
    pick<C extends Candidate>(candidates: readonly C[], rng: Rng): C {
      let best = candidates[0];
      let bestScore = score(best);
      let ties = 1;
      for (let i = 1; i < candidates.length; i++) {
        const s = score(candidates[i]);
        if (s > bestScore) {
          best = candidates[i];
          bestScore = s;
          ties = 1;
        } else if (s === bestScore && rng() * ++ties < 1) {
          best = candidates[i];
        }
      }
      return best;
    },
  };
}
