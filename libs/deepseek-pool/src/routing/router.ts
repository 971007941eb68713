import type { Rng } from '../clock.js';
import { hash32, keepPreferredAccount } from './affinity.js';
import { CandidateView } from './candidate-view.js';
import { type EligibilityContext, type Ineligibility, cooldownEnd, ineligibility } from './eligibility.js';
import type { RoutableKey } from '../keys/routable-key.js';
import type { Strategy } from './strategy.js';
import { groupByPriority } from './priority-groups.js';

/** Why no key could be picked, and when one is expected back. */
export interface Unavailability {
  /** Earliest expected recovery in ms from now; undefined when no key is expected back by itself. */
  retryAfterMs: number | undefined;
  /** True when every key that serves the model is out for rate limiting (cooling, over a limit or saturated). */
  rateLimited: boolean;
  /** How many keys are out, by reason. */
  reasons: Partial<Record<Ineligibility, number>>;
  /** How many keys serve the model at all (0: the model is unknown to this pool). */
  serving: number;
}

/** Random draws from the first priority group a pairwise pick makes before it falls back to scanning the groups. */
const PAIR_DRAWS = 4;

/**
 * Picks a key: the first priority group with an eligible key, then the strategy inside it.
 * Keys already tried in this request are skipped while another key is eligible.
 * A pairwise strategy (p2c) gets two eligible keys of the first priority group drawn at random, O(1) in the number
 * of keys; otherwise (or when the draws find fewer than two) one linear pass into a reused buffer: no sorting, no
 * allocation.
 * Reads its keys, never writes to them: the per-pick figures a strategy compares live in one reused view per key.
 */
export class Router<K extends RoutableKey> {
  private groups: CandidateView<K>[][] = [];
  private readonly buffer: CandidateView<K>[] = [];
  private readonly pair: CandidateView<K>[] = [];
  private readonly accountHashes = new Map<string, number>();
  private readonly accountHash = (account: string): number => {
    let hash = this.accountHashes.get(account);
    if (hash === undefined) this.accountHashes.set(account, (hash = hash32(account)));
    return hash;
  };

  constructor(
    private readonly strategy: Strategy,
    private readonly rng: Rng,
    private readonly resetTimeoutMs: number,
  ) {}

  /** Replaces the key set (at start and on admin changes). */
  setSlots(keys: readonly K[]): void {
    this.groups = groupByPriority(keys).map((group) => group.map((key) => new CandidateView(key)));
  }

  /**
   * A key for `model` (any model when undefined), skipping those in `tried` while another is eligible. With an
   * `affinityKey`, keys of the account rendezvous hashing prefers for it come first (prompt-cache affinity).
   * `accepts`: only keys it takes are picked at all (a continuation needs a key that can continue).
   */
  pick(
    model: string | undefined,
    tried: ReadonlySet<K>,
    ctx: EligibilityContext,
    affinityKey?: string,
    accepts?: (key: K) => boolean,
  ): K | undefined {
    if (affinityKey === undefined && this.strategy.pairwise) {
      const picked = this.pickPair(model, tried, ctx, accepts);
      if (picked !== undefined) return picked;
    }
    const affinity = affinityKey === undefined ? undefined : hash32(affinityKey);
    return (
      this.pickFrom(model, tried, ctx, affinity, accepts) ??
      (tried.size > 0 ? this.pickFrom(model, undefined, ctx, affinity, accepts) : undefined)
    );
  }

  /** Explains an empty pick (keys `accepts` rejects count as not serving). O(keys); only called on the failure path. */
  unavailability(model: string | undefined, ctx: EligibilityContext, accepts?: (key: K) => boolean): Unavailability {
    const reasons: Partial<Record<Ineligibility, number>> = {};
    let earliest = Infinity;
    let rateLimitedOnly = true;
    let serving = 0;
    for (const group of this.groups) {
      for (const { key } of group) {
        const reason = ineligibility(key, model, ctx);
        if (reason === 'model' || (accepts && !accepts(key))) continue;
        serving += 1;
        if (reason === undefined) return { retryAfterMs: 0, rateLimited: false, reasons: {}, serving };
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        if (reason === 'cooling') earliest = Math.min(earliest, cooldownEnd(key, ctx) - ctx.nowMs);
        if (reason === 'open')
          earliest = Math.min(earliest, Math.max(0, key.openedAtMs + this.resetTimeoutMs - ctx.nowMs));
        if (reason === 'over-limit') earliest = Math.min(earliest, ctx.quota?.blockedForMs(key, ctx.nowMs) ?? 0);
        if (reason !== 'cooling' && reason !== 'saturated' && reason !== 'over-limit') rateLimitedOnly = false;
      }
    }
    return {
      retryAfterMs: Number.isFinite(earliest) ? Math.ceil(earliest) : undefined,
      rateLimited: serving > 0 && rateLimitedOnly,
      reasons,
      serving,
    };
  }

  /**
   * Up to PAIR_DRAWS uniform draws from the first priority group, keeping the first two distinct eligible keys not
   * tried yet: rejection sampling, so the pair is as uniform over the eligible keys as a scan would make it. Undefined
   * when the draws find fewer than two (the scan then decides, fallback to the next priority group included).
   */
  private pickPair(
    model: string | undefined,
    tried: ReadonlySet<K>,
    ctx: EligibilityContext,
    accepts: ((key: K) => boolean) | undefined,
  ): K | undefined {
    const group = this.groups.at(0);
    if (group === undefined || group.length < 2) return undefined;
    let first: CandidateView<K> | undefined;
    for (let draw = 0; draw < PAIR_DRAWS; draw++) {
      const view = group[Math.floor(this.rng() * group.length)];
      const key = view.key;
      if (
        view === first ||
        tried.has(key) ||
        ineligibility(key, model, ctx) !== undefined ||
        (accepts && !accepts(key))
      )
        continue;
      if (first === undefined) {
        first = view;
        continue;
      }
      const pair = this.pair;
      pair[0] = first;
      pair[1] = view;
      for (const candidate of pair) {
        candidate.latencyMs = candidate.key.latency.valueAt(ctx.nowMs);
        prepare(candidate, ctx, 0); // no baseline: a pairwise strategy compares the two keys' own figures only
      }
      return this.strategy.pick(pair, this.rng).key;
    }
    return undefined;
  }

  private pickFrom(
    model: string | undefined,
    tried: ReadonlySet<K> | undefined,
    ctx: EligibilityContext,
    affinity: number | undefined,
    accepts: ((key: K) => boolean) | undefined,
  ): K | undefined {
    const buffer = this.buffer;
    for (const group of this.groups) {
      buffer.length = 0;
      let baseline = Infinity;
      for (const view of group) {
        const key = view.key;
        if (tried?.has(key) || ineligibility(key, model, ctx) !== undefined || (accepts && !accepts(key))) continue;
        buffer.push(view);
        view.latencyMs = key.latency.valueAt(ctx.nowMs);
        if (view.latencyMs > 0) baseline = Math.min(baseline, view.latencyMs);
      }
      if (buffer.length === 0) continue;
      if (affinity !== undefined) keepPreferredAccount(buffer, affinity, this.accountHash);
      const baselineLatencyMs = Number.isFinite(baseline) ? baseline : 0;
      for (const view of buffer) prepare(view, ctx, baselineLatencyMs);
      return (buffer.length === 1 ? buffer[0] : this.strategy.pick(buffer, this.rng)).key;
    }
    return undefined;
  }
}

/** Fills the per-pick figures a strategy reads that the scan does not (baseline latency, quota headroom). */
function prepare<K extends RoutableKey>(
  view: CandidateView<K>,
  ctx: EligibilityContext,
  baselineLatencyMs: number,
): void {
  view.baselineLatencyMs = baselineLatencyMs;
  view.headroom = ctx.quota ? ctx.quota.headroom(view.key, ctx.nowMs) : 1;
}
