import type { Clock } from '../clock.js';

/** Settings of the pool-wide breaker: a sliding-window error-rate breaker with a multi-trial half-open state. */
export interface PoolBreakerPolicy {
  /** Error rate, in percent, above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Length of the sliding window, ms. */
  windowMs: number;
  /** Buckets the window is divided into (rotated lazily from the clock). */
  buckets: number;
  /** Calls needed in the window before the error rate can open the breaker. */
  minimumVolume: number;
  /** Time an open breaker waits before letting trial calls through, ms. */
  resetTimeoutMs: number;
  /** Trial calls let through while half-open: all succeed and it closes, one fails and it re-opens. */
  halfOpenTrials: number;
}

export type PoolBreakerState = 'closed' | 'open' | 'half-open';

/** What a call did, as the breaker sees it: `neutral` (caller errors, aborts) counts neither way. */
export type CallVerdict = 'success' | 'failure' | 'neutral';

/** Admission of one call, handed back with its verdict; a permit from an earlier state is ignored. */
export interface BreakerPermit {
  readonly generation: number;
  readonly trial: boolean;
}

/** Calls and failures over the window. */
export interface WindowTotals {
  calls: number;
  failures: number;
}

/** True when the window's error rate is above the threshold and there were enough calls to judge. */
export function shouldOpen(
  totals: WindowTotals,
  policy: Pick<PoolBreakerPolicy, 'errorThresholdPercentage' | 'minimumVolume'>,
): boolean {
  return (
    totals.calls > 0 &&
    totals.calls >= policy.minimumVolume &&
    (totals.failures * 100) / totals.calls > policy.errorThresholdPercentage
  );
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

/**
 * The pool-wide breaker. Closed: calls pass and feed the sliding window; the error rate going above the threshold
 * opens it. Open: nothing passes until `resetTimeoutMs` has elapsed, then it is half-open (read lazily from the
 * clock). Half-open: `halfOpenTrials` calls pass; all succeed and it closes, one fails and it re-opens.
 * Pure state driven by the injected clock: no timers.
 */
export class PoolBreaker {
  private current: PoolBreakerState = 'closed';
  private generation = 0;
  private openedAtMs = 0;
  private trialsAdmitted = 0;
  private trialSuccesses = 0;
  private readonly window: SlidingWindow;

  constructor(
    private readonly policy: PoolBreakerPolicy,
    private readonly clock: Clock,
    private readonly onChange: (state: PoolBreakerState) => void = () => undefined,
  ) {
    this.window = new SlidingWindow(policy.windowMs, policy.buckets);
  }

  get state(): PoolBreakerState {
    if (this.current === 'open' && this.clock.now() >= this.openedAtMs + this.policy.resetTimeoutMs)
      this.enter('half-open');
    return this.current;
  }

  /** Time until an open breaker lets trial calls through, ms (0 unless open). */
  get retryAfterMs(): number {
    return this.state === 'open' ? this.openedAtMs + this.policy.resetTimeoutMs - this.clock.now() : 0;
  }

  /** Failure rate and call count over the window (for snapshots and tests). */
  get totals(): WindowTotals {
    return this.window.totals(this.clock.now());
  }

  /** A permit when the call may go upstream now (closed, or half-open with a trial left); undefined when it may not. */
  tryAcquire(): BreakerPermit | undefined {
    const state = this.state;
    if (state === 'closed') return { generation: this.generation, trial: false };
    if (state === 'open' || this.trialsAdmitted >= this.policy.halfOpenTrials) return undefined;
    this.trialsAdmitted += 1;
    return { generation: this.generation, trial: true };
  }

  /** Records how a permitted call ended. */
  record(permit: BreakerPermit, verdict: CallVerdict): void {
    if (permit.generation !== this.generation) return;
    if (permit.trial) {
      this.recordTrial(verdict);
      return;
    }
    if (verdict === 'neutral') return;
    const nowMs = this.clock.now();
    this.window.record(nowMs, verdict === 'failure');
    if (verdict === 'failure' && shouldOpen(this.window.totals(nowMs), this.policy)) this.enter('open');
  }

  private recordTrial(verdict: CallVerdict): void {
    if (verdict === 'failure') {
      this.enter('open');
      return;
    }
    if (verdict === 'neutral') {
      this.trialsAdmitted -= 1;
      return;
    }
    this.trialSuccesses += 1;
    if (this.trialSuccesses >= this.policy.halfOpenTrials) this.enter('closed');
  }

  private enter(state: PoolBreakerState): void {
    this.current = state;
    this.generation += 1;
    this.trialsAdmitted = 0;
    this.trialSuccesses = 0;
    if (state === 'open') this.openedAtMs = this.clock.now();
    if (state === 'closed') this.window.clear();
    this.onChange(state);
  }
}
