import { BUCKET_MS, type UsageDelta, UsageWindow } from '../limits/usage-window.js';

interface ScopeCounters {
  /** What routing reads: the counts Redis held at the last sync plus what this replica counted since. */
  view: UsageWindow;
  /** Counted here and not yet sent. */
  pending: UsageWindow;
  /** Sent in the sync in flight. */
  flushing: UsageWindow | undefined;
}

/**
 * Field/increment pairs of a usage hash in Redis: `r:<bucket>` requests, `t:<bucket>` tokens, `d:<day>` tokens, and
 * `l:<bucket>` the latest moment counted in the bucket (kept as the maximum, not added).
 */
export type UsageIncrements = Array<readonly [field: string, by: number]>;

/**
 * The usage counters of a replica sharing them through Redis: counts are added locally at once and sent in batches
 * by the sync tick, whose reply (every replica's counts) replaces the local view. A failed sync keeps its counts
 * for the next one, so nothing counted while Redis is down is lost.
 */
export class UsageSync {
  private readonly scopes = new Map<string, ScopeCounters>();

  /** The local view of `scope` (the scope is synced from now on). */
  view(scope: string): UsageWindow {
    return this.counters(scope).view;
  }

  add(scope: string, delta: UsageDelta, atMs: number): void {
    const counters = this.counters(scope);
    counters.view.add(delta, atMs);
    counters.pending.add(delta, atMs);
  }

  /** Starts a sync: every known scope with the increments counted since the last one. */
  begin(nowMs: number): Array<{ scope: string; increments: UsageIncrements }> {
    const batch: Array<{ scope: string; increments: UsageIncrements }> = [];
    for (const [scope, counters] of this.scopes) {
      counters.flushing = counters.pending;
      counters.pending = new UsageWindow();
      batch.push({ scope, increments: incrementsOf(counters.flushing, nowMs) });
    }
    return batch;
  }

  /** The sync landed: `fields[i]` are the counts Redis now holds for the i-th scope of `batch`. */
  commit(batch: ReadonlyArray<{ scope: string }>, fields: readonly string[][], nowMs: number): void {
    batch.forEach(({ scope }, i) => {
      const counters = this.counters(scope);
      counters.view = fromFields(fields[i] ?? []);
      counters.view.merge(counters.pending, nowMs);
      counters.flushing = undefined;
    });
  }

  /** The sync failed: its counts go back to pending, for the next one. */
  abort(nowMs: number): void {
    for (const counters of this.scopes.values()) {
      if (counters.flushing === undefined) continue;
      counters.flushing.merge(counters.pending, nowMs);
      counters.pending = counters.flushing;
      counters.flushing = undefined;
    }
  }

  private counters(scope: string): ScopeCounters {
    let counters = this.scopes.get(scope);
    if (counters === undefined) {
      counters = { view: new UsageWindow(), pending: new UsageWindow(), flushing: undefined };
      this.scopes.set(scope, counters);
    }
    return counters;
  }
}

/** The non-zero increments a window holds. */
function incrementsOf(window: UsageWindow, nowMs: number): UsageIncrements {
  const { buckets, day, dayTokens } = window.entries(nowMs);
  const increments: UsageIncrements = [];
  for (const bucket of buckets) {
    if (bucket.requests !== 0) increments.push([`r:${bucket.index}`, bucket.requests]);
    if (bucket.tokens !== 0) increments.push([`t:${bucket.index}`, bucket.tokens]);
    increments.push([`l:${bucket.index}`, bucket.lastAtMs]);
  }
  if (day >= 0 && dayTokens !== 0) increments.push([`d:${day}`, dayTokens]);
  return increments;
}

/** A window holding the counts of a usage hash as Redis returns it (flat field/value list). */
function fromFields(flat: readonly string[]): UsageWindow {
  const window = new UsageWindow();
  const buckets = new Map<number, { requests: number; tokens: number; lastAtMs?: number }>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const [kind, index] = [flat[i].charAt(0), Number(flat[i].slice(2))];
    const value = Number(flat[i + 1]);
    if (kind === 'd') {
      window.addDay(index, value);
      continue;
    }
    const bucket = buckets.get(index) ?? { requests: 0, tokens: 0 };
    if (kind === 'r') bucket.requests = value;
    else if (kind === 'l') bucket.lastAtMs = value;
    else bucket.tokens = value;
    buckets.set(index, bucket);
  }
  // A bucket without its latest moment (written by an older version) counts as if filled at its last ms.
  for (const [index, bucket] of buckets) window.addMinute(bucket, bucket.lastAtMs ?? (index + 1) * BUCKET_MS - 1);
  return window;
}
