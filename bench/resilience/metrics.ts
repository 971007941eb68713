import { nanosecondHistogram, round, summarize } from '../lib/histogram.js';
import type { RequestRecord } from './load.js';
import type { Sample } from './sampler.js';

/** When the phases of a run began, ms on the run's clock (0 = load start). */
export interface Timeline {
  /** When the fault was switched on; absent for a run without a fault phase. */
  faultStartMs?: number;
  /** When the fault was switched off; absent when it lasts. */
  faultEndMs?: number;
  endMs: number;
}

/** When the faulty keys' traffic stopped and came back, ms after the fault went on / off; null: not within the phase. */
export interface TrafficTimes {
  stopsAfterMs: number | null;
  /** Absent when the fault lasts. */
  returnsAfterMs?: number | null;
}

export interface RunMetrics {
  /** Requests started from the fault on (the whole run without a fault). */
  requests: number;
  succeeded: number;
  successRate: number;
  /** Latency of those requests, failed ones included, ms. */
  latencyMs: { p50: number; p99: number };
  /** Chat requests the mock received in that window per request started in it. */
  attemptsPerRequest: number;
  /** Share of the mock's chat requests that went to the faulty keys while the fault was on. */
  faultyShare: number | null;
  /** Absent when the scenario watches no key. */
  traffic?: TrafficTimes;
  /** Failures by kind. */
  errors: Record<string, number>;
}

const BUCKET_MS = 100;
/** A key "gets no traffic" below this fraction of its baseline rate (a few half-open probes stay under it). */
const STOPPED_BELOW = 0.1;
/** A key "has its traffic back" at this fraction of its baseline rate. */
const BACK_AT = 0.5;
/** The start of the baseline left out of its rate (connections opening). */
const BASELINE_SKIP_MS = 100;

function groupCount(samples: readonly Sample[], keys: readonly string[], atMs: number): number {
  let chosen = samples[0]!;
  for (const sample of samples) {
    if (sample.atMs > atMs) break;
    chosen = sample;
  }
  return keys.reduce((sum, key) => sum + (chosen.byKey[key] ?? 0), 0);
}

/** Requests per second of `keys` in each BUCKET_MS bucket of [fromMs, toMs). */
function bucketRates(samples: readonly Sample[], keys: readonly string[], fromMs: number, toMs: number): number[] {
  const rates: number[] = [];
  for (let start = fromMs; start + BUCKET_MS <= toMs; start += BUCKET_MS) {
    rates.push(((groupCount(samples, keys, start + BUCKET_MS) - groupCount(samples, keys, start)) * 1000) / BUCKET_MS);
  }
  return rates;
}

function lastIndexOver(rates: readonly number[], threshold: number): number {
  for (let i = rates.length - 1; i >= 0; i--) if (rates[i]! > threshold) return i;
  return -1;
}

function trafficTimes(samples: readonly Sample[], keys: readonly string[], faultStartMs: number, t: Timeline): TrafficTimes {
  const baselineFrom = Math.min(BASELINE_SKIP_MS, faultStartMs / 2);
  const baseline = ((groupCount(samples, keys, faultStartMs) - groupCount(samples, keys, baselineFrom)) * 1000) / (faultStartMs - baselineFrom);
  const during = bucketRates(samples, keys, faultStartMs, t.faultEndMs ?? t.endMs);
  const lastBusy = lastIndexOver(during, STOPPED_BELOW * baseline);
  const stopsAfterMs = lastBusy === during.length - 1 ? null : (lastBusy + 1) * BUCKET_MS;
  if (t.faultEndMs === undefined) return { stopsAfterMs };
  const back = bucketRates(samples, keys, t.faultEndMs, t.endMs).findIndex((rate) => rate >= BACK_AT * baseline);
  return { stopsAfterMs, returnsAfterMs: back < 0 ? null : (back + 1) * BUCKET_MS };
}

function delta(samples: readonly Sample[], keys: readonly string[], fromMs: number, toMs: number): number {
  return groupCount(samples, keys, toMs) - groupCount(samples, keys, fromMs);
}

/** The figures of one run, from the requests the load generator saw and the mock's sampled counters. */
export function runMetrics(records: readonly RequestRecord[], samples: readonly Sample[], faulty: readonly string[], t: Timeline): RunMetrics {
  const fromMs = t.faultStartMs ?? 0;
  const window = records.filter((r) => r.startMs >= fromMs);
  const histogram = nanosecondHistogram();
  const errors: Record<string, number> = {};
  for (const r of window) {
    histogram.recordValue(Math.max(1, Math.round(r.latencyMs * 1e6)));
    if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
  }
  const latency = summarize(histogram, 1e6);
  const succeeded = window.filter((r) => !r.error).length;
  const totals = samples.map((s) => ({ ...s, byKey: { '*': s.total } }));
  const faultEnd = t.faultEndMs ?? t.endMs;
  const allDuringFault = delta(totals, ['*'], fromMs, faultEnd);
  return {
    requests: window.length,
    succeeded,
    successRate: round(succeeded / Math.max(window.length, 1), 4),
    latencyMs: { p50: latency.p50, p99: latency.p99 },
    attemptsPerRequest: round(delta(totals, ['*'], fromMs, Infinity) / Math.max(window.length, 1), 2),
    faultyShare: faulty.length === 0 || allDuringFault === 0 ? null : round(delta(samples, faulty, fromMs, faultEnd) / allDuringFault, 3),
    ...(faulty.length > 0 && t.faultStartMs !== undefined ? { traffic: trafficTimes(samples, faulty, t.faultStartMs, t) } : {}),
    errors,
  };
}
