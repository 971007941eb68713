import { DAY_MS, type UsageLimits, type UsageTotals, dayOf } from './usage-window.js';

/** Percentages of a limit at which a `quota.threshold` event is emitted. */
export const QUOTA_THRESHOLDS = [70, 85, 95] as const;
/** One of QUOTA_THRESHOLDS. */
export type QuotaThreshold = (typeof QUOTA_THRESHOLDS)[number];
/** A limit of UsageLimits: `requestsPerMinute`, `tokensPerMinute` or `tokensPerDay`. */
export type LimitName = keyof UsageLimits;

/** One threshold crossing, as the `quota.threshold` event reports it. */
export interface ThresholdCrossing {
  /** The limited scope: `key:<id>` or `account:<name>`. */
  scope: string;
  /** Which limit was crossed. */
  limit: LimitName;
  /** The threshold reached, in percent of `max`. */
  percent: QuotaThreshold;
  /** Count in the limit's window at the crossing. */
  used: number;
  /** The limit. */
  max: number;
}

/** The thresholds above `reported` (the highest already reported) that `used / max` has reached, lowest first. Pure. */
export function crossedThresholds(reported: number, used: number, max: number): QuotaThreshold[] {
  const percent = (used / max) * 100;
  return QUOTA_THRESHOLDS.filter((threshold) => threshold > reported && percent >= threshold);
}

/** The highest threshold reached by `used / max`, or 0. Pure. */
function reachedThreshold(used: number, max: number): number {
  const percent = (used / max) * 100;
  return QUOTA_THRESHOLDS.reduce((level, threshold) => (percent >= threshold ? threshold : level), 0);
}

/**
 * When a reported threshold may be reported again: after a minute for per-minute limits, the next UTC day for daily
 * ones.
 */
function rearmAtMs(limit: LimitName, nowMs: number): number {
  return limit === 'tokensPerDay' ? (dayOf(nowMs) + 1) * DAY_MS : nowMs + 60_000;
}

interface Reported {
  level: number;
  rearmAtMs: number;
}

/**
 * Reports each threshold of each limit of each scope once per window: a threshold is reported when usage reaches
 * it, and again only once usage has fallen below it and the window it was reported in has passed (a new window
 * reports every threshold its usage reaches).
 */
export class ThresholdTracker {
  private readonly reported = new Map<string, Reported>();

  /** The crossings `totals` make for `limits` of `scope` at `nowMs`. */
  check(scope: string, limits: UsageLimits, totals: UsageTotals, nowMs: number): ThresholdCrossing[] {
    const crossings: ThresholdCrossing[] = [];
    for (const limit of ['requestsPerMinute', 'tokensPerMinute', 'tokensPerDay'] as const) {
      const max = limits[limit];
      if (max === undefined) continue;
      const id = `${scope}|${limit}`;
      const used = totals[limit];
      const state = this.reported.get(id) ?? { level: 0, rearmAtMs: 0 };
      const reached = reachedThreshold(used, max);
      if (reached < state.level && nowMs >= state.rearmAtMs) state.level = 0;
      for (const percent of crossedThresholds(state.level, used, max))
        crossings.push({ scope, limit, percent, used, max });
      if (reached > state.level) Object.assign(state, { level: reached, rearmAtMs: rearmAtMs(limit, nowMs) });
      this.reported.set(id, state);
    }
    return crossings;
  }
}
