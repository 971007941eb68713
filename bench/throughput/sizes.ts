import type { ProfileName } from '../lib/suite.js';

export interface ThroughputSizes {
  /** Concurrent connections of each step, ascending. */
  steps: number[];
  stepS: number;
  /** Unrecorded load at the first step's connections, after start (JIT, connection pools). */
  warmupS: number;
  /** Connections and seconds of load on the gateway under `node --cpu-prof`; 0 seconds skips the profile. */
  profile: { connections: number; seconds: number };
  /**
   * The verdict's rounds: every system running at once, each first loaded alone at `connections` for `warmupS`, then
   * loaded in turn for `seconds`, `rounds` times in rotated order, so that each round compares the systems under the
   * same state of the machine. The warm-up is as long as the load a system has had before its 128-connection step:
   * a fresh Node process spends more CPU per answer in its first seconds of load than later.
   */
  verdict: { connections: number; rounds: number; seconds: number; warmupS: number };
}

export const THROUGHPUT_SIZES: Record<ProfileName, ThroughputSizes> = {
  smoke: {
    steps: [16],
    stepS: 1,
    warmupS: 0.5,
    profile: { connections: 0, seconds: 0 },
    verdict: { connections: 16, rounds: 1, seconds: 1, warmupS: 0.5 },
  },
  quick: {
    steps: [32, 256, 1024],
    stepS: 2,
    warmupS: 0.5,
    profile: { connections: 0, seconds: 0 },
    verdict: { connections: 128, rounds: 1, seconds: 2, warmupS: 0.5 },
  },
  full: {
    steps: [32, 64, 128, 256, 512, 768, 1024],
    stepS: 8,
    warmupS: 3,
    profile: { connections: 256, seconds: 8 },
    verdict: { connections: 128, rounds: 5, seconds: 8, warmupS: 19 },
  },
};
