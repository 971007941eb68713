import { type UsageDelta, type UsageReader, UsageWindow } from '../limits/usage-window.js';
import type { DisabledState, PoolStateStore, StateChange } from './pool-state-store.js';

/** The counters of a scope nothing was ever counted against. */
const NO_USAGE: UsageReader = new UsageWindow();

/** The default store: one process, plain maps, O(1) everything. */
export class MemoryStateStore implements PoolStateStore {
  private readonly cooldowns = new Map<string, number>();
  private readonly disabledKeys = new Map<string, DisabledState>();
  private readonly accounts = new Map<string, number>();
  private readonly counters = new Map<string, UsageWindow>();
  private readonly listeners: Array<(change: StateChange) => void> = [];

  /** Cooldown deadline of a scope, epoch ms, or 0 when none. */
  cooldownUntil(scope: string): number {
    return this.cooldowns.get(scope) ?? 0;
  }

  /** Sets a cooldown; a later deadline always wins, an earlier one never shortens it. */
  cooldown(scope: string, untilMs: number): void {
    if (untilMs <= this.cooldownUntil(scope)) return;
    this.cooldowns.set(scope, untilMs);
    this.emit({ type: 'cooldown', scope, untilMs });
  }

  /** Ends a cooldown now. */
  clearCooldown(scope: string): void {
    if (this.cooldowns.delete(scope)) this.emit({ type: 'clear-cooldown', scope });
  }

  /** Why the key is disabled, or undefined when it is not. */
  disabled(keyId: string): DisabledState | undefined {
    return this.disabledKeys.get(keyId);
  }

  /** Takes the key out of rotation until `enable`. */
  disable(keyId: string, state: DisabledState): void {
    this.disabledKeys.set(keyId, state);
    this.emit({ type: 'disable', keyId, state });
  }

  /** Puts a disabled key back in rotation (no-op when it is not disabled). */
  enable(keyId: string): void {
    if (this.disabledKeys.delete(keyId)) this.emit({ type: 'enable', keyId });
  }

  /** Every cooldown deadline by scope (expired ones too): a shared store reconciles its local view with them. */
  cooldownEntries(): Array<[scope: string, untilMs: number]> {
    return [...this.cooldowns];
  }

  /** Every disabled key by id. */
  disabledEntries(): Array<[keyId: string, state: DisabledState]> {
    return [...this.disabledKeys];
  }

  /** In-flight requests of the account. */
  accountInFlight(account: string): number {
    return this.accounts.get(account) ?? 0;
  }

  /** Takes one in-flight slot of the account when under `limit`; false when at it. */
  tryAcquireAccount(account: string, limit: number): boolean {
    const current = this.accountInFlight(account);
    if (current >= limit) return false;
    this.accounts.set(account, current + 1);
    return true;
  }

  /**
   * Gives back one in-flight slot of the account. An idle account keeps its entry at 0: deleting it and adding it back
   * at the next call made V8 rebuild the map's table each time, an allocation per call. Accounts come from the key
   * configuration, so the entries stay bounded.
   */
  releaseAccount(account: string): void {
    const current = this.accountInFlight(account);
    if (current > 0) this.accounts.set(account, current - 1);
  }

  /** The scope's rate and quota counters. */
  usage(scope: string): UsageReader {
    return this.counters.get(scope) ?? NO_USAGE;
  }

  /** Adds to the scope's counters at `atMs` (epoch ms); a negative delta corrects an estimate. */
  addUsage(scope: string, delta: UsageDelta, atMs: number): void {
    let window = this.counters.get(scope);
    if (window === undefined) {
      window = new UsageWindow();
      this.counters.set(scope, window);
    }
    window.add(delta, atMs);
  }

  /** Registers a listener for cooldown and disable changes. */
  onChange(listener: (change: StateChange) => void): void {
    this.listeners.push(listener);
  }

  /** Drops the listeners. */
  close(): Promise<void> {
    this.listeners.length = 0;
    return Promise.resolve();
  }

  private emit(change: StateChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
