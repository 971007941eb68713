import type { Clock } from '../clock.js';
import { EstimateCorrection } from './estimate-correction.js';
import type { LimitedKey, QuotaGuard } from './quota-guard.js';
import { type ThresholdCrossing, ThresholdTracker } from './quota-thresholds.js';
import type { UsageDelta, UsageLimits, UsageStore } from './usage-window.js';

/** What one attempt counted before its call, to be corrected (once) after it. */
export interface Reservation {
  readonly scopes: ReadonlyArray<{ scope: string; limits: UsageLimits }>;
  readonly atMs: number;
  /** Tokens counted before the call: the raw estimate times the learned correction. */
  readonly tokens: number;
  /** The raw estimate, which the correction learns from once the upstream reports the real usage. */
  readonly estimated: number;
  settled: boolean;
}

/**
 * Counts requests and tokens against the limited scopes of a key (the key itself, its account): an estimate
 * before the call, corrected by the usage the upstream returns. Scopes without limits cost nothing. The estimate
 * reserved is scaled by what past answers really used (`EstimateCorrection`), so calls in flight are counted close
 * to what they will cost rather than at their `max_tokens`.
 */
export class UsageMeter {
  private readonly thresholds = new ThresholdTracker();
  private readonly correction = new EstimateCorrection();

  constructor(
    private readonly store: UsageStore,
    private readonly guard: QuotaGuard,
    private readonly clock: Clock,
    private readonly onThreshold: (crossing: ThresholdCrossing) => void,
  ) {}

  /**
   * Counts one request of `estimate()` tokens now; undefined (and no estimate made) when neither the key nor its
   * account has limits.
   */
  reserve(key: LimitedKey, estimate: () => number): Reservation | undefined {
    const own = this.guard.limitsOf(key, 'key');
    const account = this.guard.limitsOf(key, 'account');
    if (!own && !account) return undefined;
    const scopes: Array<{ scope: string; limits: UsageLimits }> = [];
    if (own) scopes.push({ scope: key.keyScope, limits: own });
    if (account) scopes.push({ scope: key.accountScope, limits: account });
    const estimated = estimate();
    const tokens = this.correction.reserve(estimated);
    const reservation = { scopes, atMs: this.clock.now(), tokens, estimated, settled: false };
    this.add(reservation, { requests: 1, tokens });
    return reservation;
  }

  /**
   * Replaces the estimate by the tokens actually spent (0 for an attempt that failed: nothing was generated, and
   * nothing is learned from it).
   */
  settle(reservation: Reservation | undefined, actualTokens: number): void {
    if (!reservation || reservation.settled) return;
    reservation.settled = true;
    if (actualTokens > 0) this.correction.observe(reservation.estimated, actualTokens);
    if (actualTokens !== reservation.tokens)
      this.add(reservation, { requests: 0, tokens: actualTokens - reservation.tokens });
  }

  /**
   * Runs one attempt under a reservation: corrected by the result's usage (the estimate stands when the upstream
   * reports none), refunded when the attempt throws.
   */
  track<T>(
    key: LimitedKey,
    estimate: () => number,
    call: () => Promise<T>,
    usageOf: (result: T) => { total_tokens?: number } | undefined,
  ): Promise<T> {
    const reservation = this.reserve(key, estimate);
    if (!reservation) return call();
    return call().then(
      (result) => {
        const used = usageOf(result)?.total_tokens;
        if (used === undefined)
          reservation.settled = true; // no usage reported: the estimate stands, nothing learned
        else this.settle(reservation, used);
        return result;
      },
      (error: unknown) => {
        this.settle(reservation, 0);
        throw error;
      },
    );
  }

  private add(reservation: Reservation, delta: UsageDelta): void {
    const nowMs = this.clock.now();
    for (const { scope, limits } of reservation.scopes) {
      this.store.addUsage(scope, delta, reservation.atMs);
      for (const crossing of this.thresholds.check(scope, limits, this.store.usage(scope).totals(nowMs), nowMs))
        this.onThreshold(crossing);
    }
  }
}
