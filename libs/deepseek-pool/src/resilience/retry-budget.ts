import type { Clock } from '../clock.js';

/** Settings of a {@link RetryBudget}. */
export interface RetryBudgetPolicy {
  /** Retries earned per original request (0.2 = retries may add 20% to the load). */
  ratio: number;
  /** Retries always allowed per second, even with no traffic. */
  minRetriesPerSecond: number;
  /** Sliding window over which requests and retries are counted, ms. */
  windowMs: number;
}

const BUCKETS = 10;

/**
 * Finagle/Linkerd-style retry budget: each request deposits `ratio` of a retry, each retry withdraws one,
 * over a sliding window of ~10 buckets rotated lazily from `clock.now()` (no timers, no per-call allocation).
 */
export class RetryBudget {
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private readonly bucketMs: number;
  private readonly reserve: number;
  private requestsInWindow = 0;
  private retriesInWindow = 0;
  /** Absolute index (`floor(now / bucketMs)`) of the newest bucket. */
  private head: number;

  constructor(
    private readonly policy: RetryBudgetPolicy,
    private readonly clock: Clock,
  ) {
    this.bucketMs = policy.windowMs / BUCKETS;
    this.reserve = (policy.minRetriesPerSecond * policy.windowMs) / 1000;
    this.head = this.bucketAt(clock.now());
  }

  /** Counts one original request, depositing `ratio` of a retry (`nowMs`: the request's start, when read already). */
  recordRequest(nowMs = this.clock.now()): void {
    this.requests[this.rotate(nowMs)]++;
    this.requestsInWindow++;
  }

  /** Withdraws one retry when the budget allows it; false means "do not retry". */
  tryWithdraw(): boolean {
    const slot = this.rotate();
    if (this.available() < 1) return false;
    this.retries[slot]++;
    this.retriesInWindow++;
    return true;
  }

  /** Retries still allowed in the current window (may be fractional; a retry needs at least 1). */
  get balance(): number {
    this.rotate();
    return this.available();
  }

  private available(): number {
    return this.reserve + this.policy.ratio * this.requestsInWindow - this.retriesInWindow;
  }

  /** Clears the buckets that slid out of the window and returns the slot of the current one. */
  private rotate(nowMs = this.clock.now()): number {
    const now = this.bucketAt(nowMs);
    const stale = Math.min(now - this.head, BUCKETS);
    for (let i = 1; i <= stale; i++) this.clear(this.slotOf(this.head + i));
    if (now > this.head) this.head = now;
    return this.slotOf(this.head);
  }

  private clear(slot: number): void {
    this.requestsInWindow -= this.requests[slot];
    this.retriesInWindow -= this.retries[slot];
    this.requests[slot] = 0;
    this.retries[slot] = 0;
  }

  private bucketAt(ms: number): number {
    return Math.floor(ms / this.bucketMs);
  }

  private slotOf(bucket: number): number {
    return ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
  }
}
