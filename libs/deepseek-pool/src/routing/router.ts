import type { Rng } from '../clock.js';
import type { KeySlot } from '../keys/key-slot.js';
import { hash32, keepPreferredAccount } from './affinity.js';
import type { Strategy } from './strategy.js';
import { type EligibilityContext, type Ineligibility, cooldownEnd, ineligibility } from './eligibility.js';
import { groupByPriority } from './tiers.js';

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

/** Random draws from the first tier a pairwise pick makes before it falls back to scanning the tiers. */
const PAIR_DRAWS = 4;

/**
 * Picks a key: the first priority tier with an eligible key, then the strategy inside it.
 * Keys already tried in this request are skipped while another key is eligible.
 * A pairwise strategy (p2c) gets two eligible keys of the first tier drawn at random, O(1) in the number of keys;
 * otherwise (or when the draws find fewer than two) one linear pass into a reused buffer: no sorting, no allocation.
 */
export class Router {
  private tiers: KeySlot[][] = [];
  private readonly buffer: KeySlot[] = [];
  private readonly pair: KeySlot[] = [];
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
  setSlots(slots: readonly KeySlot[]): void {
    this.tiers = groupByPriority(slots);
  }

  /**
   * With an `affinityKey`, keys of the account rendezvous hashing prefers for it come first (prompt-cache affinity).
   */
  /** `accepts`: only keys it takes are picked at all (a continuation needs a key that can continue). */
  pick(
    model: string | undefined,
    tried: ReadonlySet<KeySlot>,
    ctx: EligibilityContext,
    affinityKey?: string,
    accepts?: (slot: KeySlot) => boolean,
  ): KeySlot | undefined {
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
  unavailability(
    model: string | undefined,
    ctx: EligibilityContext,
    accepts?: (slot: KeySlot) => boolean,
  ): Unavailability {
    const reasons: Partial<Record<Ineligibility, number>> = {};
    let earliest = Infinity;
    let rateLimitedOnly = true;
    let serving = 0;
    for (const tier of this.tiers) {
      for (const slot of tier) {
        const reason = ineligibility(slot, model, ctx);
        if (reason === 'model' || (accepts && !accepts(slot))) continue;
        serving += 1;
        if (reason === undefined) return { retryAfterMs: 0, rateLimited: false, reasons: {}, serving };
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        if (reason === 'cooling') earliest = Math.min(earliest, cooldownEnd(slot, ctx) - ctx.nowMs);
        if (reason === 'open')
          earliest = Math.min(earliest, Math.max(0, slot.openedAtMs + this.resetTimeoutMs - ctx.nowMs));
        if (reason === 'over-limit') earliest = Math.min(earliest, ctx.quota?.blockedForMs(slot, ctx.nowMs) ?? 0);
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
   * Up to PAIR_DRAWS uniform draws from the first tier, keeping the first two distinct eligible keys not tried yet:
   * rejection sampling, so the pair is as uniform over the eligible keys as a scan would make it. Undefined when the
   * draws find fewer than two (the scan then decides, tier fallback included).
   */
  private pickPair(
    model: string | undefined,
    tried: ReadonlySet<KeySlot>,
    ctx: EligibilityContext,
    accepts: ((slot: KeySlot) => boolean) | undefined,
  ): KeySlot | undefined {
    const tier = this.tiers[0];
    if (tier === undefined || tier.length < 2) return undefined;
    let first: KeySlot | undefined;
    for (let draw = 0; draw < PAIR_DRAWS; draw++) {
      const slot = tier[Math.floor(this.rng() * tier.length)];
      if (
        slot === first ||
        tried.has(slot) ||
        ineligibility(slot, model, ctx) !== undefined ||
        (accepts && !accepts(slot))
      )
        continue;
      if (first === undefined) {
        first = slot;
        continue;
      }
      const pair = this.pair;
      pair[0] = first;
      pair[1] = slot;
      for (const candidate of pair) {
        candidate.latencyMs = candidate.latency.valueAt(ctx.nowMs);
        prepare(candidate, ctx, 0); // no baseline: a pairwise strategy compares the two keys' own figures only
      }
      return this.strategy.pick(pair, this.rng) as KeySlot;
    }
    return undefined;
  }

  private pickFrom(
    model: string | undefined,
    tried: ReadonlySet<KeySlot> | undefined,
    ctx: EligibilityContext,
    affinity: number | undefined,
    accepts: ((slot: KeySlot) => boolean) | undefined,
  ): KeySlot | undefined {
    const buffer = this.buffer;
    for (const tier of this.tiers) {
      buffer.length = 0;
      let baseline = Infinity;
      for (const slot of tier) {
        if (tried?.has(slot) || ineligibility(slot, model, ctx) !== undefined || (accepts && !accepts(slot))) continue;
        buffer.push(slot);
        slot.latencyMs = slot.latency.valueAt(ctx.nowMs);
        if (slot.latencyMs > 0) baseline = Math.min(baseline, slot.latencyMs);
      }
      if (buffer.length === 0) continue;
      if (affinity !== undefined) keepPreferredAccount(buffer, affinity, this.accountHash);
      const baselineLatencyMs = Number.isFinite(baseline) ? baseline : 0;
      for (const slot of buffer) prepare(slot, ctx, baselineLatencyMs);
      return (buffer.length === 1 ? buffer[0] : this.strategy.pick(buffer, this.rng)) as KeySlot;
    }
    return undefined;
  }
}

/** Fills the candidate fields a strategy reads that the scan does not (baseline latency, quota headroom). */
function prepare(slot: KeySlot, ctx: EligibilityContext, baselineLatencyMs: number): void {
  slot.baselineLatencyMs = baselineLatencyMs;
  slot.headroom = ctx.quota ? ctx.quota.headroom(slot, ctx.nowMs) : 1;
}
