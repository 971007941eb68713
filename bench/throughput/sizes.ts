import type { ProfileName } from '../lib/suite.js';

export interface ThroughputSizes {
  /** Concurrent connections of each step, ascending. */
  steps: number[];
  stepS: number;
  /** Unrecorded load at the first step's connections, after start (JIT, connection pools). */
  warmupS: number;
}

export const THROUGHPUT_SIZES: Record<ProfileName, ThroughputSizes> = {
  smoke: { steps: [16], stepS: 1, warmupS: 0.5 },
  quick: { steps: [32, 128, 512, 1024], stepS: 1.5, warmupS: 1 },
  full: { steps: [32, 64, 128, 256, 512, 768, 1024], stepS: 8, warmupS: 3 },
};
