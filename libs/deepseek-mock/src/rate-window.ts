import type { RateLimit } from './types.js';

/** Sliding-window request log of one key. */
export class RateWindow {
  private times: number[] = [];
  private head = 0;

  /**
   * Records the request and returns true when fewer than `limit.requests` were admitted in the last `limit.windowMs`.
   */
  tryAdmit(limit: RateLimit, now: number): boolean {
    const since = now - limit.windowMs;
    while (this.head < this.times.length && this.times[this.head] <= since) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.times.length - this.head >= limit.requests) return false;
    this.times.push(now);
    return true;
  }
}
