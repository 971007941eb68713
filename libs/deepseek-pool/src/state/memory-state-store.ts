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

  cooldownUntil(scope: string): number {
    return this.cooldowns.get(scope) ?? 0;
  }

  cooldown(scope: string, untilMs: number): void {
    if (untilMs <= this.cooldownUntil(scope)) return;
    this.cooldowns.set(scope, untilMs);
    this.emit({ type: 'cooldown', scope, untilMs });
  }

  clearCooldown(scope: string): void {
    if (this.cooldowns.delete(scope)) this.emit({ type: 'clear-cooldown', scope });
  }

  disabled(keyId: string): DisabledState | undefined {
    return this.disabledKeys.get(keyId);
  }

  disable(keyId: string, state: DisabledState): void {
    this.disabledKeys.set(keyId, state);
    this.emit({ type: 'disable', keyId, state });
  }

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

  accountInFlight(account: string): number {
    return this.accounts.get(account) ?? 0;
  }

  tryAcquireAccount(account: string, limit: number): boolean {
    const current = this.accountInFlight(account);
    if (current >= limit) return false;
    this.accounts.set(account, current + 1);
    return true;
  }

  releaseAccount(account: string): void {
    const current = this.accountInFlight(account);
    if (current > 1) this.accounts.set(account, current - 1);
    else this.accounts.delete(account);
  }

  usage(scope: string): UsageReader {
    return this.counters.get(scope) ?? NO_USAGE;
  }

  addUsage(scope: string, delta: UsageDelta, atMs: number): void {
    let window = this.counters.get(scope);
    if (window === undefined) {
      window = new UsageWindow();
      this.counters.set(scope, window);
    }
    window.add(delta, atMs);
  }

  onChange(listener: (change: StateChange) => void): void {
    this.listeners.push(listener);
  }

  close(): Promise<void> {
    this.listeners.length = 0;
    return Promise.resolve();
  }

  private emit(change: StateChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
