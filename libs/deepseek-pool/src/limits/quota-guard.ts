import type { UsageLimits, UsageStore, UsageTotals } from './usage-window.js';

/** The part of a key the limits look at. */
export interface LimitedKey {
  readonly id: string;
  readonly config: { readonly account: string; readonly limits?: UsageLimits };
  /** State-store scopes of the key and of its account (`key:<id>`, `account:<name>`). */
  readonly keyScope: string;
  readonly accountScope: string;
}

/** What routing reads of the rate and quota limits. */
export interface QuotaView {
  /** True when the key or its account has a limit. */
  hasLimits(key: LimitedKey): boolean;
  /** True when the key or its account has reached a limit. O(1) amortized. */
  blocked(key: LimitedKey, nowMs: number): boolean;
  /** Ms until the key and its account are under every limit again (0: they are). */
  blockedForMs(key: LimitedKey, nowMs: number): number;
  /** Share (0..1) left of the tightest limit of the key and its account; 1 when neither has limits. */
  headroom(key: LimitedKey, nowMs: number): number;
}

/** Share left of the tightest of `limits`, given `totals`: 1 - used / limit, clamped to [0, 1]. Pure. */
export function headroomOf(limits: UsageLimits, totals: UsageTotals): number {
  let left = 1;
  for (const name of ['requestsPerMinute', 'tokensPerMinute', 'tokensPerDay'] as const) {
    const limit = limits[name];
    if (limit !== undefined) left = Math.min(left, 1 - totals[name] / limit);
  }
  return Math.max(0, left);
}

/** Reads the limits of keys (their config) and accounts (the pool's options) against the store's counters. */
export class QuotaGuard implements QuotaView {
  constructor(
    private readonly store: UsageStore,
    private readonly accountLimits: ReadonlyMap<string, UsageLimits>,
  ) {}

  /** The limits of a scope (`key:<id>` / `account:<name>`) of `key`, when it has any. */
  limitsOf(key: LimitedKey, scope: 'key' | 'account'): UsageLimits | undefined {
    return scope === 'key' ? key.config.limits : this.accountLimits.get(key.config.account);
  }

  hasLimits(key: LimitedKey): boolean {
    return key.config.limits !== undefined || this.accountLimits.has(key.config.account);
  }

  blocked(key: LimitedKey, nowMs: number): boolean {
    return this.headroom(key, nowMs) <= 0;
  }

  blockedForMs(key: LimitedKey, nowMs: number): number {
    const own = key.config.limits;
    const account = this.accountLimits.get(key.config.account);
    const ownMs = own ? this.store.usage(key.keyScope).msUntilWithin(own, nowMs) : 0;
    return Math.max(ownMs, account ? this.store.usage(key.accountScope).msUntilWithin(account, nowMs) : 0);
  }

  headroom(key: LimitedKey, nowMs: number): number {
    const own = key.config.limits;
    const account = this.accountLimits.get(key.config.account);
    let left = 1;
    if (own) left = headroomOf(own, this.store.usage(key.keyScope).totals(nowMs));
    if (account) left = Math.min(left, headroomOf(account, this.store.usage(key.accountScope).totals(nowMs)));
    return left;
  }
}
