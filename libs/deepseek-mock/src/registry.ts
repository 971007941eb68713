import { Account } from './account-limits.js';
import { applyPatch } from './key-behaviour.js';
import { RateWindow } from './rate-window.js';
import { clashingKey, parseAccountPatch, parseKeyConfig, parseKeyPatch } from './scenario.js';
import {
  type Endpoint,
  type KeyCounters,
  type MockStats,
  endpointCounts,
  newKeyCounters,
  sumEndpointCounts,
} from './stats.js';
import type { KeyBehaviour, KeyConfig, MockScenario } from './types.js';
import { ScenarioError } from './validate.js';

/** Thrown when a key or account named at run time does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** Run-time state of one key. */
export class KeyState {
  counters: KeyCounters = newKeyCounters();
  readonly rateWindow = new RateWindow();
  /** Scenario defaults overlaid with the key's own fields. */
  behaviour: KeyBehaviour;

  constructor(
    public config: KeyConfig,
    readonly account: Account,
    private readonly defaults: KeyBehaviour,
  ) {
    this.behaviour = { ...defaults, ...config };
  }

  get name(): string {
    return this.config.name ?? this.config.key;
  }

  reconfigure(config: KeyConfig): void {
    this.config = config;
    this.behaviour = { ...this.defaults, ...config };
  }
}

/** Id of the account of a key that declares none: the key is alone on it. */
export function implicitAccountId(name: string): string {
  return `key:${name}`;
}

/** Keys and accounts of a running mock, and their counters. */
export class Registry {
  private readonly keys = new Map<string, KeyState>();
  private readonly accounts = new Map<string, Account>();
  private unauthenticated = endpointCounts();

  constructor(private readonly scenario: MockScenario) {
    for (const [id, config] of Object.entries(scenario.accounts ?? {})) this.accounts.set(id, new Account(id, config));
    for (const key of scenario.keys) this.add(key);
  }

  /** The key presented as a bearer token. */
  byBearer(token: string): KeyState | undefined {
    return this.keys.get(token);
  }

  /** A key by its value or its name; throws NotFoundError. */
  find(ref: string): KeyState {
    const state = this.keys.get(ref) ?? [...this.keys.values()].find((k) => k.name === ref);
    if (!state) throw new NotFoundError(`no key "${ref}"`);
    return state;
  }

  account(id: string): Account {
    const account = this.accounts.get(id);
    if (!account) throw new NotFoundError(`no account "${id}"`);
    return account;
  }

  list(): KeyConfig[] {
    return [...this.keys.values()].map((k) => k.config);
  }

  countUnauthenticated(endpoint: Endpoint): void {
    this.unauthenticated[endpoint]++;
  }

  add(input: unknown): KeyConfig {
    const config = parseKeyConfig(input, this.accounts);
    const clash = clashingKey(this.list(), config);
    if (clash) throw new ScenarioError(`key: key or name clashes with key "${clash.name ?? clash.key}"`);
    let account: Account;
    if (config.account !== undefined) {
      account = this.account(config.account);
    } else {
      account = new Account(implicitAccountId(config.name ?? config.key));
      this.accounts.set(account.id, account);
    }
    this.keys.set(config.key, new KeyState(config, account, this.scenario.defaults ?? {}));
    return config;
  }

  remove(ref: string): void {
    const state = this.find(ref);
    this.keys.delete(state.config.key);
    if (state.config.account === undefined) this.accounts.delete(state.account.id);
  }

  patchKey(ref: string, patch: unknown): KeyConfig {
    const state = this.find(ref);
    state.reconfigure(applyPatch(state.config, parseKeyPatch(patch)));
    return state.config;
  }

  patchAccount(id: string, patch: unknown): void {
    this.account(id).configure(parseAccountPatch(patch));
  }

  resetCounters(): void {
    for (const k of this.keys.values()) k.counters = newKeyCounters(k.counters.inFlight);
    for (const a of this.accounts.values()) a.resetCounters();
    this.unauthenticated = endpointCounts();
  }

  stats(uptimeMs: number): MockStats {
    const keys = [...this.keys.values()];
    return structuredClone({
      uptimeMs,
      unauthenticated: this.unauthenticated,
      totalRequests: sumEndpointCounts([this.unauthenticated, ...keys.map((k) => k.counters.requests)]),
      keys: Object.fromEntries(keys.map((k) => [k.name, { key: k.config.key, account: k.account.id, ...k.counters }])),
      accounts: Object.fromEntries(
        [...this.accounts.values()].map((a) => [
          a.id,
          {
            inFlight: a.inFlight,
            peakInFlight: a.peakInFlight,
            maxConcurrency: a.maxConcurrency ?? null,
            balance: a.balance,
            currency: a.currency,
            spent: a.spent,
          },
        ]),
      ),
    });
  }
}
