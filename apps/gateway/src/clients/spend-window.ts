/**
 * A client's usage as a flat map of counters, the same in memory and in a Redis hash (one hash per client):
 * `r:<second>` requests and `t:<second>` tokens of one second (kept 60 s), `d:<day>` tokens and `c:<day>` cost of a
 * UTC day, `m:<month>` cost of a UTC month. Costs are integers in nano-USD, so Redis adds them exactly.
 * Everything here is pure: the ledgers (memory, Redis) only store the fields and apply the increments.
 */
export type UsageFields = Map<string, number>;
export type Increments = Array<readonly [field: string, by: number]>;

export const SECOND_MS = 1_000;
/** Seconds a request counts in the per-minute windows (the current second included). */
export const MINUTE_BUCKETS = 60;
export const DAY_MS = 86_400_000;
export const NANO_PER_USD = 1e9;

/** What a client may use; absent fields are unlimited. */
export interface ClientLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  tokensPerDay?: number;
  /** Spend budgets in USD, priced from usage (cache hits at the cache-hit rate). */
  usdPerDay?: number;
  usdPerMonth?: number;
}
export type LimitName = keyof ClientLimits;
export const LIMIT_NAMES: readonly LimitName[] = [
  'requestsPerMinute',
  'tokensPerMinute',
  'tokensPerDay',
  'usdPerDay',
  'usdPerMonth',
];
/** Limits whose refusal is a spent budget (402-style `insufficient_quota`), not a rate limit. */
export const BUDGET_LIMITS: ReadonlySet<LimitName> = new Set(['usdPerDay', 'usdPerMonth']);

/** A client's counts against each limit (USD for the budgets). */
export type ClientTotals = Record<LimitName, number>;

/** Why a request is refused: the limit that frees last, and when every reached limit is under again. */
export interface Refusal {
  limit: LimitName;
  max: number;
  retryAfterMs: number;
}

export const secondOf = (ms: number): number => Math.floor(ms / SECOND_MS);
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
export function monthOf(ms: number): number {
  const date = new Date(ms);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}
const monthStartMs = (month: number): number => Date.UTC(Math.floor(month / 12), month % 12, 1);

/** The counts one request adds at `atMs`: a request, its tokens, its cost (nano-USD). Zero counts are left out. */
export function incrementsAt(
  atMs: number,
  requests: number,
  tokens: number,
  nanoUsd: number,
  minute = true,
): Increments {
  const second = secondOf(atMs);
  const all: Increments = [
    ...(minute
      ? ([
          [`r:${second}`, requests],
          [`t:${second}`, tokens],
        ] as const)
      : []),
    [`d:${dayOf(atMs)}`, tokens],
    [`c:${dayOf(atMs)}`, nanoUsd],
    [`m:${monthOf(atMs)}`, nanoUsd],
  ];
  return all.filter(([, by]) => by !== 0);
}

/**
 * The correction once the real usage is known: the difference from the estimate, on the fields the estimate went to
 * (the per-minute ones only while they are still in the window).
 */
export function correctionOf(
  atMs: number,
  estimate: { tokens: number; nanoUsd: number },
  actual: { tokens: number; nanoUsd: number },
  nowMs: number,
): Increments {
  const live = secondOf(atMs) > secondOf(nowMs) - MINUTE_BUCKETS;
  return incrementsAt(atMs, 0, actual.tokens - estimate.tokens, actual.nanoUsd - estimate.nanoUsd, live);
}

/** True when a field no longer counts for anything at `nowMs` (the Redis script prunes by the same rule). */
export function isStale(field: string, nowMs: number): boolean {
  const index = Number(field.slice(2));
  switch (field.charAt(0)) {
    case 'r':
    case 't':
      return index <= secondOf(nowMs) - MINUTE_BUCKETS;
    case 'd':
    case 'c':
      return index < dayOf(nowMs);
    default:
      return index < monthOf(nowMs);
  }
}

export function applyIncrements(fields: UsageFields, increments: Increments): void {
  for (const [field, by] of increments) fields.set(field, (fields.get(field) ?? 0) + by);
}

/** A client's counts in storage units (nano-USD for the budgets), as the admission rule compares them. */
export function countsOf(fields: ReadonlyMap<string, number>, nowMs: number): ClientTotals {
  const counts: ClientTotals = {
    requestsPerMinute: 0,
    tokensPerMinute: 0,
    tokensPerDay: 0,
    usdPerDay: 0,
    usdPerMonth: 0,
  };
  const today = dayOf(nowMs);
  const month = monthOf(nowMs);
  for (const [field, value] of fields) {
    if (isStale(field, nowMs)) continue;
    const index = Number(field.slice(2));
    const kind = field.charAt(0);
    if (kind === 'r') counts.requestsPerMinute += value;
    else if (kind === 't') counts.tokensPerMinute += value;
    else if (kind === 'd' && index === today) counts.tokensPerDay += value;
    else if (kind === 'c' && index === today) counts.usdPerDay += value;
    else if (kind === 'm' && index === month) counts.usdPerMonth += value;
  }
  return counts;
}

/** A client's counts with the budgets in USD (for metrics and the status page). */
export function totalsOf(fields: ReadonlyMap<string, number>, nowMs: number): ClientTotals {
  const counts = countsOf(fields, nowMs);
  return { ...counts, usdPerDay: counts.usdPerDay / NANO_PER_USD, usdPerMonth: counts.usdPerMonth / NANO_PER_USD };
}

/** A limit in storage units: budgets in nano-USD (integers, as Redis compares them). */
export function storedMax(limit: LimitName, max: number): number {
  return BUDGET_LIMITS.has(limit) ? Math.round(max * NANO_PER_USD) : max;
}

/**
 * The admission rule, the same in memory and in Redis: a request is admitted while every count is below its limit
 * (so the last admitted request may pass a token or USD limit by its own size: "within one request"). Undefined:
 * admitted. Otherwise the reached limit that frees last, and in how long every reached limit is under again.
 */
export function refusalOf(
  limits: ClientLimits,
  fields: ReadonlyMap<string, number>,
  nowMs: number,
): Refusal | undefined {
  const counts = countsOf(fields, nowMs);
  let refusal: Refusal | undefined;
  for (const limit of LIMIT_NAMES) {
    const max = limits[limit];
    if (max === undefined || counts[limit] < storedMax(limit, max)) continue;
    const retryAfterMs = freesInMs(limit, max, fields, counts[limit], nowMs);
    if (refusal === undefined || retryAfterMs > refusal.retryAfterMs) refusal = { limit, max, retryAfterMs };
  }
  return refusal;
}

/**
 * When `limit` is under its maximum again: per-minute limits as their oldest seconds leave the window, daily at
 * midnight UTC, monthly on the 1st.
 */
function freesInMs(
  limit: LimitName,
  max: number,
  fields: ReadonlyMap<string, number>,
  count: number,
  nowMs: number,
): number {
  if (limit === 'tokensPerDay' || limit === 'usdPerDay') return (dayOf(nowMs) + 1) * DAY_MS - nowMs;
  if (limit === 'usdPerMonth') return monthStartMs(monthOf(nowMs) + 1) - nowMs;
  const kind = limit === 'requestsPerMinute' ? 'r' : 't';
  let used = count;
  const current = secondOf(nowMs);
  for (let second = current - MINUTE_BUCKETS + 1; second <= current; second++) {
    used -= fields.get(`${kind}:${second}`) ?? 0;
    if (used < max) return (second + MINUTE_BUCKETS) * SECOND_MS - nowMs;
  }
  return (current + MINUTE_BUCKETS) * SECOND_MS - nowMs;
}
