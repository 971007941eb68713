import { nanosecondHistogram, round, summarize } from '../lib/histogram.js';
import type { RequestRecord } from './load.js';
import type { Sample } from './sampler.js';

/**
 * When the phases of a run began, ms on the run's clock (0 = load start). The load pauses at the end of the
 * measured window until its requests have finished (`drainedMs`), so the mock's counters attribute every
 * upstream attempt to the window it belongs to; then the fault is switched off and the load resumes.
 */
export interface Timeline {
  /** When the fault was switched on; absent for a run without a fault phase. */
  faultStartMs?: number;
  /** When the measured window's load stopped (the fault still on). */
  windowEndMs: number;
  /** When the window's last request had finished. */
  drainedMs: number;
  /** When the fault was switched off and the load resumed; absent when the fault lasts. */
  recoveryStartMs?: number;
  endMs: number;
}

/**
 * When the faulty keys' traffic stopped and came back, ms after the fault went on / off; null: not within the phase.
 */
export interface TrafficTimes {
  stopsAfterMs: number | null;
  /** Absent when the fault lasts or the traffic never stopped. */
  returnsAfterMs?: number | null;
}

export interface RunMetrics {
  /** Requests started while the fault was on (the whole run for a scenario without a fault phase). */
  requests: number;
  succeeded: number;
  successRate: number;
  /** Latency of those requests, failed ones included, ms. */
  latencyMs: { p50: number; p99: number };
  /** Chat requests the mock received for the requests started while the fault was on, per such request. */
  attemptsPerRequest: number;
  /** Share of the mock's chat requests that went to the faulty keys while the fault was on. */
  faultyShare: number | null;
  /** Absent when the scenario watches no key. */
  traffic?: TrafficTimes;
  /** Failures by kind. */
  errors: Record<string, number>;
}

/**
 * "Stops": from then on, every STOP_WINDOW_MS window (sliding by STEP_MS) holds under STOPPED_BELOW of the fair rate.
 */
const STOP_WINDOW_MS = 500;
const STEP_MS = 100;
const STOPPED_BELOW = 0.25;
/** "Comes back": the first RETURN_BUCKET_MS bucket after the fault at BACK_AT of the fair rate or more. */
const RETURN_BUCKET_MS = 200;
const BACK_AT = 0.5;

function groupCount(samples: readonly Sample[], keys: readonly string[], atMs: number): number {
  let chosen = samples[0];
  for (const sample of samples) {
    if (sample.atMs > atMs) break;
    chosen = sample;
  }
  return keys.reduce((sum, key) => sum + (chosen.byKey[key] ?? 0), 0);
}

/** Requests per second of `keys` over [fromMs, toMs). */
function rate(samples: readonly Sample[], keys: readonly string[], fromMs: number, toMs: number): number {
  return ((groupCount(samples, keys, toMs) - groupCount(samples, keys, fromMs)) * 1000) / (toMs - fromMs);
}

/**
 * When the faulty keys stopped getting traffic (a few half-open probes or cooldown retries stay under the
 * threshold) and when they got it back, against their fair share of the offered rate.
 */
function trafficTimes(
  samples: readonly Sample[],
  keys: readonly string[],
  fairRate: number,
  faultStartMs: number,
  t: Timeline,
): TrafficTimes {
  let stopsAfterMs: number | null = null;
  for (let from = faultStartMs; from + STOP_WINDOW_MS <= t.windowEndMs; from += STEP_MS) {
    const busy = rate(samples, keys, from, from + STOP_WINDOW_MS) >= STOPPED_BELOW * fairRate;
    if (busy) stopsAfterMs = null;
    else stopsAfterMs ??= from - faultStartMs;
  }
  if (t.recoveryStartMs === undefined || stopsAfterMs === null) return { stopsAfterMs };
  for (let from = t.recoveryStartMs; from + RETURN_BUCKET_MS <= t.endMs; from += RETURN_BUCKET_MS) {
    if (rate(samples, keys, from, from + RETURN_BUCKET_MS) >= BACK_AT * fairRate)
      return { stopsAfterMs, returnsAfterMs: from + RETURN_BUCKET_MS - t.recoveryStartMs };
  }
  return { stopsAfterMs, returnsAfterMs: null };
}

function delta(samples: readonly Sample[], keys: readonly string[], fromMs: number, toMs: number): number {
  return groupCount(samples, keys, toMs) - groupCount(samples, keys, fromMs);
}

/**
 * The figures of one run, from the requests the load generator saw and the mock's sampled counters.
 * `fairRate`: the faulty keys' share of the offered rate if it were spread evenly over every key.
 */
export function runMetrics(
  records: readonly RequestRecord[],
  samples: readonly Sample[],
  faulty: readonly string[],
  fairRate: number,
  t: Timeline,
): RunMetrics {
  const fromMs = t.faultStartMs ?? 0;
  const toMs = t.windowEndMs;
  const window = records.filter((r) => r.startMs >= fromMs && r.startMs < toMs);
  const histogram = nanosecondHistogram();
  const errors: Record<string, number> = {};
  for (const r of window) {
    histogram.recordValue(Math.max(1, Math.round(r.latencyMs * 1e6)));
    if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
  }
  const latency = summarize(histogram, 1e6);
  const succeeded = window.filter((r) => !r.error).length;
  const totals = samples.map((s) => ({ ...s, byKey: { '*': s.total } }));
  const allDuringFault = delta(totals, ['*'], fromMs, toMs);
  return {
    requests: window.length,
    succeeded,
    successRate: round(succeeded / Math.max(window.length, 1), 4),
    latencyMs: { p50: latency.p50, p99: latency.p99 },
    attemptsPerRequest: round(delta(totals, ['*'], fromMs, t.drainedMs) / Math.max(window.length, 1), 2),
    faultyShare:
      faulty.length === 0 || allDuringFault === 0
        ? null
        : round(delta(samples, faulty, fromMs, toMs) / allDuringFault, 3),
    ...(faulty.length > 0 && t.faultStartMs !== undefined
      ? { traffic: trafficTimes(samples, faulty, fairRate, t.faultStartMs, t) }
      : {}),
    errors,
  };
}
