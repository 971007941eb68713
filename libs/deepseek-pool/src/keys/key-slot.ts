import type { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Usage } from '../chat.types.js';
import type { BreakerPolicy } from './breaker-policy.js';
import { type BreakerState, KeyBreaker } from './key-breaker.js';
import type { RoutableKey } from './routable-key.js';
import { accountScope, keyScope } from '../state/pool-state-store.js';
import type { KeyConfig } from './key-config.js';
import { PeakEwma } from './peak-ewma.js';
import { UpstreamHeaderCache } from './upstream-headers.js';

/** Running token totals of one key (from the usage upstream returns). */
export interface TokenTotals {
  /** Prompt tokens. */
  prompt: number;
  /** Completion tokens (reasoning included). */
  completion: number;
  /** Prompt tokens DeepSeek served from its context cache. */
  cacheHit: number;
  /** Prompt tokens not in DeepSeek's context cache. */
  cacheMiss: number;
  /** Reasoning tokens of thinking models. */
  reasoning: number;
}

/**
 * The live side of one key: its breaker, in-flight count, latency and counters. Holds no shared state
 * (cooldowns and disables live in the PoolStateStore) and no timers of its own.
 */
export class KeySlot implements RoutableKey {
  readonly breaker: KeyBreaker;
  readonly latency: PeakEwma;
  inFlight = 0;
  /** 429s in a row, for the cooldown's exponential growth; reset by a success. */
  consecutiveRateLimits = 0;
  readonly tokens: TokenTotals = { prompt: 0, completion: 0, cacheHit: 0, cacheMiss: 0, reasoning: 0 };
  /** When the breaker last opened (epoch ms), to tell callers when it will try again. */
  openedAtMs = 0;
  /** Set while an operator removes the key: no new requests, in-flight ones finish. */
  draining = false;
  /** State-store scopes of the key and its account, built once. */
  readonly keyScope: string;
  readonly accountScope: string;
  /** This key's upstream request headers, built once per shape. */
  readonly headers: UpstreamHeaderCache;

  constructor(
    readonly config: KeyConfig,
    policy: BreakerPolicy,
    rotateBucketController: EventEmitter,
    latencyDecayMs: number,
    clock: Clock,
    onBreakerChange: (slot: KeySlot, state: BreakerState) => void,
  ) {
    this.breaker = new KeyBreaker(policy, rotateBucketController, (state) => onBreakerChange(this, state));
    this.latency = new PeakEwma(latencyDecayMs, clock);
    this.keyScope = keyScope(config.id);
    this.accountScope = accountScope(config.account);
    this.headers = new UpstreamHeaderCache(config);
  }

  get id(): string {
    return this.config.id;
  }

  get weight(): number {
    return this.config.weight;
  }

  get priority(): number {
    return this.config.priority;
  }

  get maxConcurrency(): number {
    return this.config.maxConcurrency;
  }

  /** Whether this key serves `model` (after its modelMap). */
  serves(model: string): boolean {
    return this.config.models === undefined || this.config.models.has(this.upstreamModel(model));
  }

  /** The model name this upstream knows `model` by. */
  upstreamModel(model: string): string {
    return this.config.modelMap[model] ?? model;
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** `usage` as the upstream sent it: any count may be missing. */
  recordUsage(usage: Partial<Usage>): void {
    this.tokens.prompt += usage.prompt_tokens ?? 0;
    this.tokens.completion += usage.completion_tokens ?? 0;
    this.tokens.cacheHit += usage.prompt_cache_hit_tokens ?? 0;
    this.tokens.cacheMiss += usage.prompt_cache_miss_tokens ?? 0;
    this.tokens.reasoning += usage.completion_tokens_details?.reasoning_tokens ?? 0;
  }
}
