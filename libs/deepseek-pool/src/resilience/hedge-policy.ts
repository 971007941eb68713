import { failureLatencyMs } from '../keys/peak-ewma.js';
import type { HedgeSkip } from '../call.types.js';
import type { WindowTotals } from '../sliding-window.js';

/** Hedge races decided in the window before their yield is judged. */
export const MIN_RACES = 20;
/** While hedges do not pay, one due hedge in this many is still sent: the probe that notices when they pay again. */
export const LOW_YIELD_PROBE_EVERY = 10;

/** Hedged requests: a second attempt on another key when the first has not answered within the hedge delay. */
export interface HedgeSettings {
  /** Default true; `hedge: false` on a call turns it off for that call. */
  enabled: boolean;
  /** Percentile of recent time-to-answer (time-to-first-content for streams) the delay follows. Default 95. */
  percentile: number;
  /**
   * Lower bound of the adaptive delay, ms. Default 20: a class answering faster has little tail to cut, and a hedge
   * there races its upstream's scheduling noise, while every race's loser costs its connection (HTTP/1.1 aborts an
   * exchange by closing its socket) and the upstream a request (bench/FINDINGS.md, finding 1).
   */
  floorMs: number;
  /** Upper bound of the adaptive delay, ms. Default 10 000. */
  capMs: number;
  /** A fixed delay instead of the adaptive one, ms. */
  fixedMs?: number;
  /**
   * Answers a latency class needs in the window before its percentile is used (until then: its slowest answer; with
   * none, the cap). Default 20.
   */
  minSamples: number;
  /** Time-to-answer samples (and hedge races) older than this are forgotten, ms. Default 30 000. */
  windowMs: number;
  /**
   * Share of the recent hedge races the hedge must win for hedges to go on being sent freely, judged by key of the
   * first attempt; below it (over at least MIN_RACES races of that key) one due hedge in LOW_YIELD_PROBE_EVERY is sent,
   * until the hedges win this share again (`lowYield`). 0 turns the check off. Default 0.25.
   */
  minYield: number;
  /**
   * Extra upstream calls hedges may add: `ratio` of requests plus a floor per second, over a window. Defaults 0.05 / 1
   * / 10 000 ms.
   */
  budget: { ratio: number; minRetriesPerSecond: number; windowMs: number };
}

/** What the loop knows when the hedge delay passes with no answer. */
export interface HedgeCheck {
  /** Attempts the call may still make (max attempts minus those made or in flight). */
  attemptsLeft: number;
  /** Time left before the caller's deadline, ms. */
  remainingMs: number;
  /** The hedge delay: the time a fresh attempt is expected to need to answer. */
  expectedMs: number;
  /** Hedges the budget still allows (a hedge needs at least 1). */
  budget: number;
  /** Whether the first key's hedges are throttled for their low yield (`lowYield`). */
  lowYield: boolean;
  /** Due hedges skipped for their low yield since a hedge was last allowed. */
  lowYieldSkips: number;
}

/** Whether a hedge may be sent before a key is picked: undefined when it may, else why not. */
export function hedgeSkip(check: HedgeCheck): HedgeSkip | undefined {
  if (check.attemptsLeft < 1) return 'max-attempts';
  if (check.remainingMs < check.expectedMs) return 'deadline';
  if (check.budget < 1) return 'budget';
  if (check.lowYield && check.lowYieldSkips < LOW_YIELD_PROBE_EVERY - 1) return 'low-yield';
  return undefined;
}

/**
 * Whether the hedges of the calls whose first attempt went to one key are throttled, given its races in the window and
 * whether they were throttled at its last due hedge (`throttled`).
 *
 * They become throttled when they do not pay: over at least MIN_RACES decided races, the hedge won less than `minYield`
 * of them. The first attempt then mostly answers first anyway: that key is not slower than the others (the upstream,
 * or this process, is saturated, or the tail is only noise) and a hedge only adds load, and tokens.
 *
 * They stay throttled until they pay again: won at least `minYield` of the window's races, the races missing to
 * MIN_RACES counted as lost (at 0.25: 5 won probes at least). Without that, a throttled key whose due hedges are rarer
 * than the probes need to keep MIN_RACES races in the window would lose its verdict as the window forgets, and spend
 * MIN_RACES hedges to learn it again, window after window.
 */
export function lowYield(races: WindowTotals, minYield: number, throttled: boolean): boolean {
  const won = races.calls - races.failures;
  if (throttled) return won < minYield * Math.max(races.calls, MIN_RACES);
  return races.calls >= MIN_RACES && won < minYield * races.calls;
}

/** The hedge delay from the percentile of a latency class (undefined while it has no sample), ms. */
export function hedgeDelayMs(
  settings: Pick<HedgeSettings, 'floorMs' | 'capMs' | 'fixedMs'>,
  percentileMs: number | undefined,
): number {
  if (settings.fixedMs !== undefined) return settings.fixedMs;
  if (percentileMs === undefined) return settings.capMs;
  return Math.min(settings.capMs, Math.max(settings.floorMs, percentileMs));
}

/**
 * The latency sample of an attempt that lost a hedge race and was aborted: its real latency is unknown, only
 * "slower than `elapsedMs`". A loser that ran past the time an answer was expected (it stalled or is slow) gets a
 * penalty like a failed attempt (at least twice what it ran and the failure floor), so power-of-two-choices stops
 * picking it until its estimate decays; a loser that was merely late (a hedge sent just before the first answer)
 * tells nothing and gets no sample (undefined).
 */
export function lostRaceLatencyMs(elapsedMs: number, expectedMs: number, estimateMs: number): number | undefined {
  if (elapsedMs <= expectedMs) return undefined;
  return Math.max(2 * elapsedMs, failureLatencyMs(elapsedMs, estimateMs));
}

/**
 * The `max_tokens` class a non-streaming answer's time is compared within: answers of very different lengths take very
 * different times.
 */
export function maxTokensClass(maxTokens: number | undefined): string {
  if (maxTokens === undefined) return 'default';
  for (const bound of [256, 1_024, 4_096, 16_384]) if (maxTokens <= bound) return `<=${bound}`;
  return '>16384';
}
