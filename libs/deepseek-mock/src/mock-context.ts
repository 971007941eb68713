import type { Rng } from './rng.js';
import type { Pricing } from './types.js';

/** What request handlers need from the running mock. */
export interface MockContext {
  readonly rng: Rng;
  readonly models: readonly string[];
  readonly thinkingModels: readonly string[];
  readonly pricing: Pricing;
  /** The injectable clock (rate windows, outages, `created`). */
  now(): number;
  /** Milliseconds since `start()` on that clock. */
  elapsedMs(): number;
  nextSequence(): number;
  /** True while `close()` is tearing connections down (those are not client aborts). */
  isClosing(): boolean;
}
