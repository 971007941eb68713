/** Time source, injected so every timing test runs on fake timers. */
export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
}

/** Uniform random number in [0, 1), injected so every distribution test is seeded. */
export type Rng = () => number;

export const systemClock: Clock = { now: () => Date.now() };
