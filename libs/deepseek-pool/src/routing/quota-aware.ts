import type { Rng } from '../clock.js';
import type { Candidate, Strategy } from './strategy.js';

/** Headroom under which a key is spared while another candidate has more: keys stop before they are exhausted. */
export const RESERVE_HEADROOM = 0.05;
/** Headroom differences up to this count as equal; the less loaded key then wins. */
export const HEADROOM_TIE = 0.02;

/** Requests in flight per unit of weight, plus the one about to be sent: lower is better. */
function load(c: Candidate): number {
  return (c.inFlight + 1) / c.weight;
}

/** True when `a` is the better choice: clearly more headroom, else less load. */
function better(a: Candidate, b: Candidate): boolean {
  if (Math.abs(a.headroom - b.headroom) > HEADROOM_TIE) return a.headroom > b.headroom;
  return load(a) < load(b);
}

/** The `n`-th candidate (0-based) among those `qualify` accepts. */
function nth<C extends Candidate>(candidates: readonly C[], n: number, qualify: (c: Candidate) => boolean): C {
  let seen = 0;
  for (const c of candidates) {
    if (qualify(c) && seen++ === n) return c;
  }
  return candidates[candidates.length - 1];
}

const outsideReserve = (c: Candidate): boolean => c.headroom >= RESERVE_HEADROOM;
const any = (): boolean => true;

/**
 * Quota-aware: power of two choices on remaining headroom (the share left of the tightest rate or quota limit
 * of the key and its account), load breaking near-ties. Picking the roomier of two drains every key at the same
 * pace, so small and large budgets run out together; keys inside the last 5% are spared while another has more.
 * O(candidates), no allocation.
 */
export function createQuotaAwareStrategy(): Strategy {
  return {
    name: 'quota-aware',
    pick<C extends Candidate>(candidates: readonly C[], rng: Rng): C {
      let roomy = 0;
      for (const c of candidates) if (outsideReserve(c)) roomy++;
      const qualify = roomy > 0 ? outsideReserve : any;
      const n = roomy > 0 ? roomy : candidates.length;
      if (n === 1) return nth(candidates, 0, qualify);
      const i = Math.floor(rng() * n);
      const j = Math.floor(rng() * (n - 1));
      const first = nth(candidates, i, qualify);
      const second = nth(candidates, j >= i ? j + 1 : j, qualify);
      return better(second, first) ? second : first;
    },
  };
}
