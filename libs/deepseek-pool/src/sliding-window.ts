/**
 * Calls and failures over a sliding window: the pool-wide breaker's calls, the hedge races (a race the hedge lost is
 * the failure).
 */
export interface WindowTotals {
  calls: number;
  failures: number;
}

/**
 * Ring of per-bucket counters. A bucket is identified by its epoch (`floor(now / bucketMs)`); one whose epoch has
 * left the window is reset when next written and skipped when summed, so no timer ever rotates it.
 */
export class SlidingWindow {
  private readonly epochs: number[];
  private readonly calls: number[];
  private readonly failures: number[];
  private readonly bucketMs: number;

  constructor(
    windowMs: number,
    private readonly size: number,
  ) {
    this.bucketMs = windowMs / size;
    this.epochs = new Array<number>(size).fill(-Infinity);
    this.calls = new Array<number>(size).fill(0);
    this.failures = new Array<number>(size).fill(0);
  }

  record(nowMs: number, failed: boolean): void {
    const epoch = Math.floor(nowMs / this.bucketMs);
    const i = epoch % this.size;
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch;
      this.calls[i] = 0;
      this.failures[i] = 0;
    }
    this.calls[i] += 1;
    if (failed) this.failures[i] += 1;
  }

  totals(nowMs: number): WindowTotals {
    const oldest = Math.floor(nowMs / this.bucketMs) - this.size;
    const totals = { calls: 0, failures: 0 };
    for (let i = 0; i < this.size; i++) {
      if (this.epochs[i] <= oldest) continue;
      totals.calls += this.calls[i];
      totals.failures += this.failures[i];
    }
    return totals;
  }

  clear(): void {
    this.epochs.fill(-Infinity);
  }
}
