import type { Rng } from '../clock.js';
import type { Candidate, Strategy } from './strategy.js';

/** Test fixture: an idle, uncapped key with weight 1, 100 ms latency and no limits, overridden by `fields`. */
export function candidate(id: string, fields: Partial<Omit<Candidate, 'id'>> = {}): Candidate {
  return {
    id,
    weight: 1,
    inFlight: 0,
    maxConcurrency: Infinity,
    latencyMs: 100,
    baselineLatencyMs: 100,
    headroom: 1,
    ...fields,
  };
}

/** Test fixture: an rng that returns `values` in order, then fails the test if drawn again. */
export function scriptedRng(...values: number[]): Rng {
  let next = 0;
  return () => {
    if (next >= values.length) throw new Error(`rng drawn ${next + 1} times, scripted ${values.length}`);
    return values[next++];
  };
}

/** Test fixture: the share of `picks` calls that went to each candidate id. */
export function pickShares(
  strategy: Strategy,
  candidates: readonly Candidate[],
  rng: Rng,
  picks: number,
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(candidates.map((c) => [c.id, 0]));
  for (let i = 0; i < picks; i++) counts[strategy.pick(candidates, rng).id]++;
  return Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, n / picks]));
}
