import { ContextCache } from './context-cache.js';
import type { AccountConfig, AccountPatch, Currency } from './types.js';

/** Balance of an account that declares none. */
export const DEFAULT_BALANCE = 1000;

/** The outcome of asking for a concurrency slot: on refusal, the numbers of DeepSeek's 429 message. */
export type SlotResult = { ok: true } | { ok: false; current: number; limit: number };

export interface BalanceInfo {
  currency: Currency;
  total: number;
  granted: number;
  toppedUp: number;
}

/** One DeepSeek account: the concurrency ceiling and balance shared by its keys, and its context cache. */
export class Account {
  maxConcurrency: number | undefined;
  currency: Currency;
  inFlight = 0;
  peakInFlight = 0;
  /** Amount charged since the last counter reset. */
  spent = 0;
  readonly cache = new ContextCache();
  private granted = 0;
  private toppedUp = 0;

  constructor(
    readonly id: string,
    config: AccountConfig = {},
  ) {
    this.maxConcurrency = config.maxConcurrency;
    this.currency = config.currency ?? 'USD';
    this.setBalance(config.balance ?? DEFAULT_BALANCE, config.grantedBalance ?? 0);
  }

  /** Applies a partial change; `null` restores a default. Balance fields replace the current balance. */
  configure(patch: AccountPatch): void {
    if (patch.maxConcurrency !== undefined) this.maxConcurrency = patch.maxConcurrency ?? undefined;
    if (patch.currency !== undefined) this.currency = patch.currency ?? 'USD';
    if (patch.balance !== undefined || patch.grantedBalance !== undefined) {
      const total = patch.balance === undefined ? this.balance : (patch.balance ?? DEFAULT_BALANCE);
      this.setBalance(total, patch.grantedBalance ?? 0);
    }
  }

  /** Sets the balance: `total`, of which `granted` is granted (spent first). */
  setBalance(total: number, granted = 0): void {
    this.granted = Math.min(granted, Math.max(total, 0));
    this.toppedUp = total - this.granted;
  }

  get balance(): number {
    return this.granted + this.toppedUp;
  }

  balanceInfo(): BalanceInfo {
    return { currency: this.currency, total: this.balance, granted: this.granted, toppedUp: this.toppedUp };
  }

  /** Spends `amount`: the granted balance first, never below zero. */
  charge(amount: number): void {
    const fromGranted = Math.min(this.granted, amount);
    this.granted -= fromGranted;
    this.toppedUp = Math.max(0, this.toppedUp - (amount - fromGranted));
    this.spent += amount;
  }

  /** Takes a concurrency slot (a request counts from arrival until its response completes). */
  tryAcquire(): SlotResult {
    const current = this.inFlight + 1;
    if (this.maxConcurrency !== undefined && current > this.maxConcurrency) {
      return { ok: false, current, limit: this.maxConcurrency };
    }
    this.inFlight = current;
    this.peakInFlight = Math.max(this.peakInFlight, current);
    return { ok: true };
  }

  release(): void {
    this.inFlight--;
  }

  resetCounters(): void {
    this.peakInFlight = this.inFlight;
    this.spent = 0;
  }
}
