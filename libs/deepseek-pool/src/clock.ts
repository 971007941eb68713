/** Time source, injected so every timing test runs on fake timers. */
export interface Clock {
  now(): number;
}

/** Uniform random number in [0, 1), injected so every distribution test is seeded. */
export type Rng = () => number;

export const systemClock: Clock = { now: () => Date.now() };

/** mulberry32: a tiny, fast, seedable PRNG for tests and benchmarks. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
