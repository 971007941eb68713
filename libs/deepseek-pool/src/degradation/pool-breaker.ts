import type { Clock } from '../clock.js';
import { SlidingWindow, type WindowTotals } from '../sliding-window.js';

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

/** The pool-wide breaker of DeepSeekDegradationModule: while `open`, degradable calls skip the pool. */
export type PoolBreakerState = 'closed' | 'open' | 'half-open';

/** What a call did, as the breaker sees it: `neutral` (caller errors, aborts) counts neither way. */
export type CallVerdict = 'success' | 'failure' | 'neutral';

/** Admission of one call, handed back with its verdict; a permit from an earlier state is ignored. */
export interface BreakerPermit {
  readonly generation: number;
  readonly trial: boolean;
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
