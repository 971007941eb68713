import type { Clock } from '../clock.js';
import { AnswerTimes, type LatencyClass } from './answer-times.js';
import type { HedgeSkip } from '../call.types.js';
import { SlidingWindow } from '../sliding-window.js';
import { type HedgeSettings, hedgeDelayMs, hedgeSkip, lowYield } from './hedge-policy.js';
import { type PendingHedge, HedgeTimers } from './hedge-timers.js';
import { RetryBudget } from './retry-budget.js';

/** Buckets of the window of hedge races. */
const RACE_BUCKETS = 10;
/** The hedge races of the calls whose first attempt went to one key. */
interface KeyRaces {
  /** Decided races over the window; a race the hedge lost counts as a failure. */
  window: SlidingWindow;
  /** Whether its hedges were throttled at its last due hedge (`lowYield`). */
  throttled: boolean;
  /** Due hedges skipped for their low yield since one was last allowed. */
  lowYieldSkips: number;
}

/** A pending hedge delay: `cancel` stops it. */
export interface HedgeTimer {
  cancel(): void;
}

/**
 * The pool's hedging state: recent answer times by latency class (the adaptive delay), the hedge budget and, by key of
 * the first attempt, the recent hedge races (whether hedges pay). The attempt loop asks it when to hedge and whether it
 * may; the decisions themselves are pure (hedge-policy).
 */
export class Hedging {
  private readonly times: AnswerTimes;
  private readonly budget: RetryBudget;
  /** By the key of the calls' first attempt: its slot, of which only the identity counts (its entry goes with it). */
  private readonly races = new WeakMap<object, KeyRaces>();
  private readonly timers: HedgeTimers;

  constructor(
    readonly settings: HedgeSettings,
    private readonly clock: Clock,
  ) {
    this.times = new AnswerTimes(settings.windowMs, clock);
    this.budget = new RetryBudget(settings.budget, clock);
    this.timers = new HedgeTimers(clock, (pending, nowMs) => this.untilCheckMs(pending, nowMs));
  }

  /** The hedge delay of a latency class now, ms. */
  delayMs(latencyClass: LatencyClass): number {
    return hedgeDelayMs(this.settings, this.percentileMs(latencyClass));
  }

  /** Records the time a successful attempt took to answer (a stream: to its first content), ending at `nowMs`. */
  recordAnswer(latencyClass: LatencyClass, ms: number, nowMs?: number): void {
    this.times.record(latencyClass, ms, nowMs);
  }

  /** Counts one call (started at `nowMs`), earning the budget its share of a hedge. */
  recordRequest(nowMs?: number): void {
    this.budget.recordRequest(nowMs);
  }

  /**
   * Records a decided race of a call whose first attempt went to `first`: an answer came while a hedge had been sent in
   * the same attempt step, from the hedge (`hedgeWon`) or from the first attempt (the hedge lost, or failed). `nowMs`:
   * when it was decided. Not kept when the yield is not judged (`minYield` 0).
   */
  recordRace(first: object, hedgeWon: boolean, nowMs = this.clock.now()): void {
    if (this.settings.minYield === 0) return;
    let races = this.races.get(first);
    if (races === undefined) {
      races = { window: new SlidingWindow(this.settings.windowMs, RACE_BUCKETS), throttled: false, lowYieldSkips: 0 };
      this.races.set(first, races);
    }
    races.window.record(nowMs, !hedgeWon);
  }

  /** Whether a hedge of an attempt on `first` may be sent now (before a key is picked), or why not. */
  skip(attemptsLeft: number, remainingMs: number, latencyClass: LatencyClass, first: object): HedgeSkip | undefined {
    // None with minYield 0 (recordRace keeps nothing then), nor for a key without a race yet.
    const races = this.races.get(first);
    if (races !== undefined)
      races.throttled = lowYield(races.window.totals(this.clock.now()), this.settings.minYield, races.throttled);
    const reason = hedgeSkip({
      attemptsLeft,
      remainingMs,
      expectedMs: this.delayMs(latencyClass),
      budget: this.budget.balance,
      lowYield: races?.throttled ?? false,
      lowYieldSkips: races?.lowYieldSkips ?? 0,
    });
    if (races === undefined) return reason;
    if (reason === 'low-yield') races.lowYieldSkips += 1;
    else if (reason === undefined) races.lowYieldSkips = 0;
    return reason;
  }

  /** Spends one hedge from the budget (after `skip` allowed it and a key was secured). */
  spend(): boolean {
    return this.budget.tryWithdraw();
  }

  /**
   * Calls `onDue` once the class's hedge delay has passed since `fromMs` (at once when it has already). The delay is
   * read again when its time comes (it may have grown), and every `floorMs` while the class has fewer than
   * `minSamples` answers (it may still shrink: a pool's first calls must be hedged once the first answers set the
   * delay, even when a stalled key holds all of them).
   *
   * Once due, `onDue` waits for the rest of its event-loop turn (HedgeTimers): Node runs timers before it reads the
   * sockets, so when the process itself is late (a busy event loop), the answer the hedge would race may already sit
   * in the socket. Read first, the answer lands and cancels the hedge; only an upstream that has really not answered is
   * hedged.
   *
   * `fromMs` is also taken as the time now: the timer is set as the attempt starts, in the same turn.
   */
  timer(latencyClass: LatencyClass, fromMs: number, onDue: () => void): HedgeTimer {
    return this.timers.start(latencyClass, fromMs, onDue);
  }

  /** How long until a pending hedge is checked again, ms; <= 0: it is due. */
  private untilCheckMs({ latencyClass, fromMs }: PendingHedge, nowMs: number): number {
    const ms = fromMs + hedgeDelayMs(this.settings, this.percentileMs(latencyClass, nowMs)) - nowMs;
    if (ms <= 0 || this.settings.fixedMs !== undefined) return ms;
    return this.times.samples(latencyClass, nowMs) < this.settings.minSamples
      ? Math.min(ms, this.settings.floorMs)
      : ms;
  }

  private percentileMs(latencyClass: LatencyClass, nowMs?: number): number | undefined {
    return this.settings.fixedMs === undefined
      ? this.times.percentile(latencyClass, this.settings.percentile, this.settings.minSamples, nowMs)
      : undefined;
  }
}
