import type { Clock } from '../clock.js';
import { AnswerTimes } from './answer-times.js';
import type { HedgeSkip } from '../deepseek-pool.events.js';
import { type HedgeSettings, hedgeDelayMs, hedgeSkip } from './hedge-policy.js';
import { RetryBudget } from './retry-budget.js';

/** A pending hedge delay: `cancel` stops it. */
export interface HedgeTimer {
  cancel(): void;
}

/**
 * The pool's hedging state: recent answer times by latency class (the adaptive delay) and the hedge budget.
 * The attempt loop asks it when to hedge and whether it may; the decisions themselves are pure (hedge-policy).
 */
export class Hedging {
  private readonly times: AnswerTimes;
  private readonly budget: RetryBudget;

  constructor(
    readonly settings: HedgeSettings,
    private readonly clock: Clock,
  ) {
    this.times = new AnswerTimes(settings.windowMs, clock);
    this.budget = new RetryBudget(settings.budget, clock);
  }

  /** The hedge delay of a latency class now, ms. */
  delayMs(latencyClass: string): number {
    return hedgeDelayMs(this.settings, this.percentileMs(latencyClass));
  }

  /** Records the time a successful attempt took to answer (a stream: to its first content). */
  recordAnswer(latencyClass: string, ms: number): void {
    this.times.record(latencyClass, ms);
  }

  /** Counts one call, earning the budget its share of a hedge. */
  recordRequest(): void {
    this.budget.recordRequest();
  }

  /** Whether a hedge may be sent now (before a key is picked), or why not. */
  skip(attemptsLeft: number, remainingMs: number, latencyClass: string): HedgeSkip | undefined {
    return hedgeSkip({
      attemptsLeft,
      remainingMs,
      expectedMs: this.delayMs(latencyClass),
      budget: this.budget.balance,
    });
  }

  /** Spends one hedge from the budget (after `skip` allowed it and a key was secured). */
  spend(): boolean {
    return this.budget.tryWithdraw();
  }

  /**
   * Calls `onDue` once the class's hedge delay has passed since `fromMs` (at once when it has already). The delay is
   * read again when the timer fires (it may have grown), and polled every `floorMs` while the class has fewer than
   * `minSamples` answers (it may still shrink: a pool's first calls must be hedged once the first answers set the
   * delay, even when a stalled key holds all of them).
   */
  timer(latencyClass: string, fromMs: number, onDue: () => void): HedgeTimer {
    let handle: ReturnType<typeof setTimeout> | undefined;
    const check = (): void => {
      const percentile = this.percentileMs(latencyClass);
      const leftMs = fromMs + hedgeDelayMs(this.settings, percentile) - this.clock.now();
      if (leftMs <= 0) {
        onDue();
        return;
      }
      const cold = this.settings.fixedMs === undefined && this.times.samples(latencyClass) < this.settings.minSamples;
      handle = setTimeout(check, cold ? Math.min(leftMs, this.settings.floorMs) : leftMs);
    };
    check();
    return { cancel: () => clearTimeout(handle) };
  }

  private percentileMs(latencyClass: string): number | undefined {
    return this.settings.fixedMs === undefined
      ? this.times.percentile(latencyClass, this.settings.percentile, this.settings.minSamples)
      : undefined;
  }
}
