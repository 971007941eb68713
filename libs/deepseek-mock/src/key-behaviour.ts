import type { Rng } from './rng.js';
import { INJECTABLE_STATUSES, type InjectableStatus, type KeyBehaviour } from './types.js';

/** Applies a partial change: fields set to `null` are removed, `undefined` ones are left alone. */
export function applyPatch<T extends object>(current: T, patch: { [K in keyof T]?: T[K] | null }): T {
  const next = new Map<string, unknown>(Object.entries(current));
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) next.delete(field);
    else if (value !== undefined) next.set(field, value);
  }
  return Object.fromEntries(next) as T;
}

/** Latency of one response: `latencyMs` +- uniform `jitterMs` (never below 0), plus the long tail when drawn. */
export function drawLatencyMs(b: KeyBehaviour, rng: Rng): number {
  const jitter = b.jitterMs ? (rng() * 2 - 1) * b.jitterMs : 0;
  const tail = b.longTail && rng() < b.longTail.probability ? b.longTail.extraMs : 0;
  return Math.max(0, (b.latencyMs ?? 0) + jitter) + tail;
}

/** A status drawn from `errorRates` with one uniform draw, or undefined (success). */
export function drawErrorStatus(b: KeyBehaviour, rng: Rng): InjectableStatus | undefined {
  if (!b.errorRates) return undefined;
  const u = rng();
  let cumulative = 0;
  for (const status of INJECTABLE_STATUSES) {
    cumulative += b.errorRates[`${status}`] ?? 0;
    if (u < cumulative) return status;
  }
  return undefined;
}

/** The status the key must answer `elapsedMs` after the mock started: `status`, else an outage covering that time. */
export function forcedStatus(b: KeyBehaviour, elapsedMs: number): InjectableStatus | undefined {
  if (b.status !== undefined) return b.status;
  const o = b.outage;
  return o && elapsedMs >= o.fromMs && elapsedMs < o.toMs ? (o.status ?? 503) : undefined;
}

/**
 * Free probe endpoints (`/models`, `/user/balance`) are not subject to quota statuses: 402 and 429 only limit
 * inference.
 */
export function appliesToProbes(status: InjectableStatus): boolean {
  return status !== 402 && status !== 429;
}
