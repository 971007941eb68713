import type { Clock } from '../clock.js';

/**
 * Account concurrency ceilings: the configured ones, lowered for a while by what DeepSeek reports. Its concurrency
 * 429 says "exceeds your concurrency limit of 39" (the limit shrinks as the balance runs low); the pool then keeps
 * that account under 39 in flight for `ttlMs` instead of meeting the same 429 again.
 */
export class AccountLimits {
  private readonly learned = new Map<string, { limit: number; untilMs: number }>();

  constructor(
    private readonly configured: ReadonlyMap<string, number>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The ceiling in force for `account` now (Infinity when none). */
  limit(account: string): number {
    const configured = this.configured.get(account) ?? Infinity;
    const learned = this.learned.get(account);
    if (learned === undefined) return configured;
    if (learned.untilMs <= this.clock.now()) {
      this.learned.delete(account);
      return configured;
    }
    return Math.min(configured, learned.limit);
  }

  /** Records the limit an upstream reported for `account`; it lapses after `ttlMs` (a top-up raises it again). */
  learn(account: string, limit: number): void {
    this.learned.set(account, { limit: Math.max(1, limit), untilMs: this.clock.now() + this.ttlMs });
  }
}

/**
 * What DeepSeek's concurrency 429 tells about a full account: the request that met it was the pool's
 * `inFlightAtSend`-th call in flight on the account (itself included) and found `current` in flight upstream against
 * `limit`. Others (other replicas' or clients' calls, or this pool's calls the upstream has not counted out yet) hold
 * `current - inFlightAtSend`, so the pool keeps `limit` less those; when `current` is not stated, one less than it had
 * in flight. Read from the request's own send time, a burst of 429s answering calls sent before the first one arrived
 * tells the same ceiling each time instead of a lower one as those calls end. At least 1, at most `limit`.
 */
export function accountShare(limit: number, inFlightAtSend: number, current?: number): number {
  const others = current === undefined ? limit + 1 - inFlightAtSend : current - inFlightAtSend;
  return Math.max(1, Math.min(limit, limit - Math.max(0, others)));
}
