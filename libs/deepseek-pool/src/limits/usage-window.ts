/** Width of one bucket of the per-minute windows. */
export const BUCKET_MS = 1_000;
/**
 * Buckets a count may stay in: 61 x 1 s. The oldest of them leaves as soon as its newest count is a minute old, so a
 * request counts for exactly 60 s when it is the last of its second, and at most 61 s otherwise (never less than a
 * minute: an upstream counting the last 60 s never sees more than the window does).
 */
export const WINDOW_BUCKETS = 61;
/** How long a count stays in the per-minute window, at least. */
export const MINUTE_MS = 60_000;
/** Daily budgets follow the UTC day. */
export const DAY_MS = 86_400_000;

/** What one request adds to (or, as a correction, takes from) a scope's counters. */
export interface UsageDelta {
  /** Requests to add (negative: a correction). */
  requests: number;
  /** Tokens to add (negative: a correction). */
  tokens: number;
}

/** Counts of a scope as limits see them. */
export interface UsageTotals {
  /** Requests in the last minute. */
  requestsPerMinute: number;
  /** Tokens in the last minute. */
  tokensPerMinute: number;
  /** Tokens since the start of the UTC day. */
  tokensPerDay: number;
}

/** Caps on a key or an account; absent fields are unlimited. */
export interface UsageLimits {
  /** Requests per minute (a sliding 60 s window). */
  requestsPerMinute?: number;
  /** Tokens per minute (a sliding 60 s window), estimated before a call and corrected by its usage. */
  tokensPerMinute?: number;
  /** Tokens per UTC day. */
  tokensPerDay?: number;
}

/** The read side of a scope's counters. */
export interface UsageReader {
  /** The scope's counts at `nowMs` (epoch ms). */
  totals(nowMs: number): UsageTotals;
  /** Ms from `nowMs` until the counts are under every limit again (0: they are). */
  msUntilWithin(limits: UsageLimits, nowMs: number): number;
}

/** The usage counters of every scope (`key:<id>`, `account:<name>`): the part of the pool's state store limits use. */
export interface UsageStore {
  /**
   * Request and token counters of a scope (local view: a shared store adds the other replicas' counts as last synced).
   */
  usage(scope: string): UsageReader;
  /**
   * Adds to a scope's counters at `atMs`; a correction passes its estimate's `atMs`, so it lands where the estimate
   * did.
   */
  addUsage(scope: string, delta: UsageDelta, atMs: number): void;
}

interface Bucket {
  index: number;
  requests: number;
  tokens: number;
  /** The latest moment a count was added for: the bucket has left the window a minute after it. */
  lastAtMs: number;
}

export const bucketOf = (ms: number): number => Math.floor(ms / BUCKET_MS);
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/**
 * Counters of one scope: requests and tokens in 1 s buckets over the last minute, tokens of the current UTC day.
 * The oldest bucket leaves the window a minute after its newest count (not a minute after its second ended), so a
 * window read at the same moment as an upstream's 60 s window holds no more than one second's partial bucket.
 * Fixed-size ring with running sums (buckets leaving the window are subtracted lazily), so reading the totals is
 * O(1) amortized; no timers. A count added for a past moment lands in that moment's bucket (or nowhere once it
 * has left the window), so a correction after the call undoes exactly what the estimate added.
 */
export class UsageWindow implements UsageReader {
  private readonly ring: Bucket[] = Array.from({ length: WINDOW_BUCKETS }, () => ({
    index: -1,
    requests: 0,
    tokens: 0,
    lastAtMs: 0,
  }));
  /** Sums of the buckets newer than `evicted`. */
  private requests = 0;
  private tokens = 0;
  /** Newest bucket index already out of the window (its counts subtracted from the sums). */
  private evicted = Number.NEGATIVE_INFINITY;
  private day = -1;
  private dayTokens = 0;

  /** Adds `delta` at `atMs` to the minute window and the day total. */
  add(delta: UsageDelta, atMs: number): void {
    this.addMinute(delta, atMs);
    this.addDay(dayOf(atMs), delta.tokens);
  }

  /** Adds `delta` to the minute window only; dropped when the moment `atMs` has left the window. */
  addMinute(delta: UsageDelta, atMs: number): void {
    const index = bucketOf(atMs);
    this.evict(atMs);
    const bucket = this.ring[index % WINDOW_BUCKETS];
    if (index <= this.evicted || bucket.index > index) return;
    if (bucket.index < index) Object.assign(bucket, { index, requests: 0, tokens: 0, lastAtMs: atMs });
    bucket.lastAtMs = Math.max(bucket.lastAtMs, atMs);
    bucket.requests += delta.requests;
    bucket.tokens += delta.tokens;
    this.requests += delta.requests;
    this.tokens += delta.tokens;
  }

  /** Adds tokens to a UTC day's total (older days than the current one are dropped). */
  addDay(day: number, tokens: number): void {
    if (day < this.day) return;
    if (day > this.day) {
      this.day = day;
      this.dayTokens = 0;
    }
    this.dayTokens += tokens;
  }

  /** Adds every count of `other` that is still in the window at `nowMs`. */
  merge(other: UsageWindow, nowMs: number): void {
    for (const bucket of other.live(nowMs)) this.addMinute(bucket, bucket.lastAtMs);
    if (other.day >= 0) this.addDay(other.day, other.dayTokens);
  }

  /** The buckets still in the window at `nowMs` and the day total, for writing elsewhere. */
  entries(nowMs: number): { buckets: ReadonlyArray<Readonly<Bucket>>; day: number; dayTokens: number } {
    return { buckets: this.live(nowMs), day: this.day, dayTokens: this.dayTokens };
  }

  totals(nowMs: number): UsageTotals {
    this.evict(nowMs);
    const tokensPerDay = this.day === dayOf(nowMs) ? this.dayTokens : 0;
    return {
      requestsPerMinute: Math.max(0, this.requests),
      tokensPerMinute: Math.max(0, this.tokens),
      tokensPerDay: Math.max(0, tokensPerDay),
    };
  }

  msUntilWithin(limits: UsageLimits, nowMs: number): number {
    const totals = this.totals(nowMs);
    let untilMs = nowMs;
    if (limits.tokensPerDay !== undefined && totals.tokensPerDay >= limits.tokensPerDay)
      untilMs = (dayOf(nowMs) + 1) * DAY_MS;
    const overRequests = limits.requestsPerMinute !== undefined && totals.requestsPerMinute >= limits.requestsPerMinute;
    const overTokens = limits.tokensPerMinute !== undefined && totals.tokensPerMinute >= limits.tokensPerMinute;
    if (overRequests || overTokens) untilMs = Math.max(untilMs, this.minuteFreesAtMs(limits, totals, nowMs));
    return untilMs - nowMs;
  }

  /** When enough of the oldest buckets have left the window for both per-minute counts to be under their limits. */
  private minuteFreesAtMs(limits: UsageLimits, totals: UsageTotals, nowMs: number): number {
    let requests = totals.requestsPerMinute;
    let tokens = totals.tokensPerMinute;
    const current = bucketOf(nowMs);
    for (let index = Math.max(current - WINDOW_BUCKETS, this.evicted) + 1; index <= current; index++) {
      const bucket = this.ring[index % WINDOW_BUCKETS];
      if (bucket.index !== index) continue;
      requests -= bucket.requests;
      tokens -= bucket.tokens;
      const fine =
        (limits.requestsPerMinute === undefined || requests < limits.requestsPerMinute) &&
        (limits.tokensPerMinute === undefined || tokens < limits.tokensPerMinute);
      if (fine) return bucket.lastAtMs + MINUTE_MS;
    }
    return (current + WINDOW_BUCKETS) * BUCKET_MS;
  }

  /**
   * Subtracts the buckets that left the window by `nowMs`: those 61 s old, and the oldest one still in the ring once
   * its newest count is a minute old. Each bucket is subtracted once.
   */
  private evict(nowMs: number): void {
    const current = bucketOf(nowMs);
    let oldest = current - WINDOW_BUCKETS;
    const edge = this.ring[(oldest + 1) % WINDOW_BUCKETS];
    if (edge.index === oldest + 1 && edge.lastAtMs <= nowMs - MINUTE_MS) oldest += 1;
    if (oldest <= this.evicted) return;
    for (const bucket of this.ring) {
      if (bucket.index > this.evicted && bucket.index <= oldest) {
        this.requests -= bucket.requests;
        this.tokens -= bucket.tokens;
      }
    }
    this.evicted = oldest;
  }

  private live(nowMs: number): Bucket[] {
    const oldest = Math.max(bucketOf(nowMs) - WINDOW_BUCKETS, this.evicted);
    return this.ring.filter((bucket) => bucket.index > oldest);
  }
}
