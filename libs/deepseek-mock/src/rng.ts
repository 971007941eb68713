/** Uniform random number in [0, 1). */
export type Rng = () => number;

/** Seed used when none is given, so two runs of the same scenario draw the same faults. */
export const DEFAULT_SEED = 20240601;

/**
 * mulberry32: a tiny, fast, seedable PRNG (reproducible error rates, jitter and long tails); the repository's tests
 * (the library's unit specs included) and benchmarks seed their pools with it too.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
