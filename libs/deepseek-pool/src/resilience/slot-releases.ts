/**
 * Callers waiting for a busy key (saturated account or key) sleep here: every attempt of the pool that ends may have
 * freed the slot they wait for, so a release wakes them all at once, oldest first, instead of letting them sleep out
 * a backoff while capacity stands idle. The timeout still bounds the wait (slots held by other replicas or clients
 * free without a local release).
 */
export class SlotReleases {
  private waiters = new Set<() => void>();

  /** Wakes every caller waiting now. */
  notify(): void {
    if (this.waiters.size === 0) return;
    const woken = this.waiters;
    this.waiters = new Set();
    for (const wake of woken) wake();
  }

  /** Resolves at the next release, after `ms`, or when `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(done);
        resolve();
      }
    });
  }
}
