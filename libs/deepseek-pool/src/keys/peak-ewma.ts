import type { Clock } from '../clock.js';

/**
 * Finagle/Linkerd PeakEWMA latency estimate: a sample above the estimate replaces it at once (the peak);
 * a lower one is blended in with weight `1 - exp(-elapsed / decayMs)` since the last observation.
 * Between observations the estimate read through `value` decays toward 0 at the same rate, so a key
 * that stopped getting traffic after a slow spell is tried again instead of being starved forever.
 */
export class PeakEwma {
  private estimate = 0;
  private observedAt = 0;
  private count = 0;

  constructor(
    private readonly decayMs: number,
    private readonly clock: Clock,
  ) {}

  /** Records one latency sample, ms (`now`: the time it ended, when the caller read the clock already). */
  observe(latencyMs: number, now = this.clock.now()): void {
    if (this.count === 0 || latencyMs > this.estimate) {
      this.estimate = latencyMs;
    } else {
      const w = this.weightAt(now);
      this.estimate = this.estimate * w + latencyMs * (1 - w);
    }
    this.observedAt = now;
    this.count++;
  }

  /** The current estimate, ms: 0 before the first sample, decaying toward 0 while no samples arrive. */
  get value(): number {
    return this.valueAt(this.clock.now());
  }

  /** The estimate at `nowMs` (callers that already read the clock avoid reading it again). */
  valueAt(nowMs: number): number {
    return this.count === 0 ? 0 : this.estimate * this.weightAt(nowMs);
  }

  /** Samples observed so far. */
  get samples(): number {
    return this.count;
  }

  /** Weight of the old estimate after the time elapsed since the last observation. */
  private weightAt(now: number): number {
    return Math.exp(-Math.max(0, now - this.observedAt) / this.decayMs);
  }
}

/** The smallest latency a failed attempt is recorded with: a reset in 0.2 ms must not make a key look fast. */
export const FAILURE_LATENCY_FLOOR_MS = 1_000;

/**
 * The latency a failed attempt feeds into a key's estimate: never less than twice the current estimate nor the
 * floor, so a key that fails fast loses the power-of-two-choices comparison instead of winning it (Finagle's penalty).
 */
export function failureLatencyMs(observedMs: number, currentEstimateMs: number): number {
  return Math.max(observedMs, 2 * currentEstimateMs, FAILURE_LATENCY_FLOOR_MS);
}
