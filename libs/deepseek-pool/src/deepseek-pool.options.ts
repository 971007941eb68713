import type { LoggerService } from '@nestjs/common';
import { type Clock, type Rng, systemClock } from './clock.js';
import { InvalidOptionsError } from './deepseek-pool.errors.js';
import { rejectMovedOptions } from './options/moved-options.js';
import { type KeyConfig, type KeysInput, parseKeys } from './keys/key-config.js';
import {
  flag,
  nonNegativeNumber,
  normalizeBaseUrl,
  positiveInteger,
  positiveNumber,
  share,
} from './options/validation.js';
import { type BreakerPolicy, DEFAULT_BREAKER_POLICY } from './keys/breaker-policy.js';
import type { ChatCompletionRequest } from './chat.types.js';
import { parseUsageLimits } from './limits/limit-options.js';
import type { TokenEstimateOptions } from './limits/token-estimate.js';
import type { UsageLimits } from './limits/usage-window.js';
import { type AffinityOption, resolveAffinity } from './routing/affinity.js';
import type { StrategyName } from './routing/strategy.js';
import { STRATEGY_NAMES } from './routing/strategies.js';
import type { PoolStateStore } from './state/pool-state-store.js';
import type { Transport } from './transport/transport.js';
import { type ExchangeLimits, resolveExchangeLimits } from './transport/exchange-limits.js';
import type { PoolMetricsRecorder } from './metrics/metrics-recorder.js';
import { ModelLabels, modelLabelledMetrics } from './metrics/model-labels.js';
import { Redactor } from './redaction/redactor.js';
import type { ContinuationSettings } from './streaming/stream-continuation.js';
import {
  type ResolvedTelemetryOptions,
  type TelemetryOptions,
  resolveTelemetryOptions,
} from './telemetry/telemetry-options.js';
import type { HedgeSettings } from './resilience/hedge-policy.js';
import {
  type ProbeOptions,
  type ResolvedProbeOptions,
  type ResolvedSyntheticOptions,
  type SyntheticOptions,
  type ValidateOnStart,
  resolveProbeOptions,
  resolveSyntheticOptions,
  resolveValidateOnStart,
} from './options/probe-options.js';

/** Base URL of keys that set none, unless `defaultBaseUrl` says otherwise. */
export const DEFAULT_BASE_URL = 'https://api.deepseek.com';

/** Limits of one DeepSeek account (the keys that share its `account` name). */
export interface AccountOptions {
  /** In-flight cap shared by every key of the account (DeepSeek counts concurrency per account). */
  maxConcurrency?: number;
  /** Requests per minute, tokens per minute, tokens per UTC day across the account's keys. */
  limits?: UsageLimits;
}

/** Timeouts of pool calls; every field optional, defaults below. */
export interface TimeoutOptions {
  /** Response headers must arrive within this. Default 30 000 ms. */
  firstByteMs?: number;
  /**
   * Streams: the first content delta must arrive within this; `: keep-alive` comments do not count. Default 60 000 ms.
   */
  firstContentMs?: number;
  /**
   * Longest silence: streams, between content chunks once content has started; non-streaming calls, between any
   * bytes after the headers (DeepSeek's keep-alive blank lines count, so a trickle runs to `attemptMs`). Default 30 000
   * ms.
   */
  idleMs?: number;
  /** One attempt end to end (bounds DeepSeek's blank-line keep-alive on non-streaming calls). Default 300 000 ms. */
  attemptMs?: number;
  /** The whole call across attempts; a call's `timeoutMs` overrides it. Default 600 000 ms. */
  requestMs?: number;
}

/** Retries on another key: how many, how often (budget), and the wait while no key is eligible. */
export interface RetryOptions {
  /** Upstream attempts per call, first included (hedges are not counted: the hedge budget bounds them). Default 3. */
  maxAttempts?: number;
  /**
   * Retries allowed: `ratio` of requests plus a floor per second over a window (Finagle). Defaults 0.2 / 10 / 10 000
   * ms.
   */
  budget?: { ratio?: number; minRetriesPerSecond?: number; windowMs?: number };
  /** Backoff when no key is eligible (full jitter). Defaults 50 / 1 000 ms. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Longest wait for a key to become eligible when none is (instead of failing at once). Default 2 000 ms. */
  maxWaitForKeyMs?: number;
}

/** How the pool watches its keys outside traffic: probes, synthetic completions, the check at start. */
export interface HealthOptions {
  /**
   * Active probing of every key (`GET /models`, `GET /user/balance`), or false. Default on: 10 s ±20%, down after 3
   * failures, up after 2 successes, 5 s timeout.
   */
  probe?: ProbeOptions | false;
  /**
   * A tiny real completion per key on a schedule, within a daily budget (catches slow or wrong answers). Default off.
   */
  synthetic?: SyntheticOptions | false;
  /**
   * Check every key once at start and disable rejected ones; `'require-one'` also fails the start when none is valid.
   * Default true.
   */
  validateOnStart?: ValidateOnStart;
}

/**
 * Options of `DeepSeekPoolModule.forRoot` (only `keys` is required). Validated while the app starts: an invalid value
 * throws InvalidOptionsError naming the field.
 */
export interface DeepSeekPoolOptions {
  /** API keys: `"sk-a,sk-b"` (e.g. `DEEPSEEK_API_KEYS`) or an array of strings / key objects. */
  keys: KeysInput;
  /** Per-account limits, by the `account` name used on keys. */
  accounts?: Record<string, AccountOptions>;
  /** Base URL for keys that do not set one. Default https://api.deepseek.com. */
  defaultBaseUrl?: string;
  /** Routing strategy. Default `p2c-ewma`. */
  strategy?: StrategyName;
  /**
   * Prompt-cache affinity: requests with the same key stick to one account's keys. `'user'` uses `user_id`/`user`.
   * Default off.
   */
  affinity?: AffinityOption | false;
  /** Decay time of each key's peak-EWMA latency. Default 10 000 ms. */
  latencyDecayMs?: number;
  /** Deadlines of a call and of each attempt; see TimeoutOptions. */
  timeouts?: TimeoutOptions;
  /** Attempts per call, retry budget, backoff and wait for a key. */
  retry?: RetryOptions;
  /**
   * Cooldown after a 429: exponential with jitter (defaults 1 000 / 60 000 ms), at least the upstream's `Retry-After`
   * / `retry-after-ms`, which is capped at `maxRetryAfterMs` (default 300 000 ms; garbage and non-finite hints are
   * ignored).
   */
  cooldown?: { baseMs?: number; maxMs?: number; maxRetryAfterMs?: number };
  /** Per-key breaker. */
  breaker?: Partial<BreakerPolicy>;
  /**
   * Hedged requests against slow and stalled keys (see README), or false. Defaults: on, p95 of recent answers within 10
   * ms..10 s, budget 5%.
   */
  hedging?: (Partial<Omit<HedgeSettings, 'budget'>> & { budget?: Partial<HedgeSettings['budget']> }) | false;
  /**
   * Streams that break after content go on from another key that can continue them (see `keys[].continuation`).
   * Defaults: on, 2 per stream.
   */
  continuation?: Partial<ContinuationSettings>;
  /**
   * Bounds on upstream bodies and stream readers: `maxResponseBytes` (32 MiB), `maxSseLineBytes` (1 MiB),
   * `maxClientStallMs` (60 000).
   */
  limits?: Partial<ExchangeLimits>;
  /**
   * Tokens counted against limits before a call (corrected by the usage returned). Defaults: 4 chars per token,
   * `max_tokens` or 1 024.
   */
  tokenEstimate?: Partial<TokenEstimateOptions>;
  /** Key probes, synthetic completions and start-up validation. */
  health?: HealthOptions;
  /** Network seam. Default: an UndiciTransport (keep-alive pool per base URL). */
  transport?: Transport;
  /**
   * Shared state (cooldowns, disabled keys, account in-flight, rate and quota counters). Default: in memory;
   * `RedisStateStore` for replicas.
   */
  store?: PoolStateStore;
  /** Metrics sink. Default: none (zero cost). */
  metrics?: PoolMetricsRecorder;
  /**
   * OpenTelemetry spans and metrics through `@opentelemetry/api` when it is installed, or false. Default on, content
   * off.
   */
  telemetry?: TelemetryOptions | false;
  /** Nest logger to use, or false for silence. Default: Nest's Logger with context "DeepSeekPool". */
  logger?: LoggerService | false;
  /**
   * What every text leaving the pool (errors, stream error events, logs) passes through; the pool adds its keys.
   * Pass your own to share it (e.g. with your logger) and to add other secrets (bearer tokens). Default: a new one.
   */
  redactor?: Redactor;
  /** Time source. Default `Date.now` (tests inject a fake one). */
  clock?: Clock;
  /** Random numbers in [0, 1) for strategies, jitter and hedging. Default `Math.random` (tests inject a seeded one). */
  rng?: Rng;
}

/**
 * Options after validation, with every default applied. Internal (not exported by the package; DeepSeekPoolService
 * exposes `limits` and `tokenEstimate`): a field is the option of the same name, or of its group flattened
 * (`retry.maxAttempts` is `maxAttempts`, `retry.budget` is `retryBudget`, `health.probe` is `probe`).
 */
export interface ResolvedPoolOptions {
  keys: KeyConfig[];
  /** `accounts[name].maxConcurrency`, by account name. */
  accountLimits: ReadonlyMap<string, number>;
  /** `accounts[name].limits`, by account name (accounts without limits absent). */
  accountUsageLimits: ReadonlyMap<string, UsageLimits>;
  tokenEstimate: TokenEstimateOptions;
  /** The affinity key of a request (from `affinity`); absent when affinity is off. */
  affinity?: (request: ChatCompletionRequest) => string | undefined;
  defaultBaseUrl: string;
  strategy: StrategyName;
  maxAttempts: number;
  timeouts: Required<TimeoutOptions>;
  maxWaitForKeyMs: number;
  cooldown: { baseMs: number; maxMs: number; maxRetryAfterMs: number };
  backoff: { baseMs: number; maxMs: number };
  retryBudget: { ratio: number; minRetriesPerSecond: number; windowMs: number };
  breaker: BreakerPolicy;
  latencyDecayMs: number;
  transport?: Transport;
  store?: PoolStateStore;
  /** The user's recorder behind modelLabelledMetrics (model labels only for models the pool knows). */
  metrics?: PoolMetricsRecorder;
  /** The models metrics label by name: configured on keys, listed by `/models`, or served successfully. */
  modelLabels: ModelLabels;
  telemetry: ResolvedTelemetryOptions | false;
  logger?: LoggerService | false;
  /** Knows every key ever configured (and the secrets added by the user). */
  redactor: Redactor;
  clock: Clock;
  rng: Rng;
  probe: ResolvedProbeOptions | false;
  synthetic: ResolvedSyntheticOptions | false;
  validateOnStart: ValidateOnStart;
  continuation: ContinuationSettings;
  limits: ExchangeLimits;
  hedging: HedgeSettings;
}

/**
 * Validates options and applies defaults. Throws InvalidOptionsError naming the field (`retry.maxAttempts`), also for
 * an option of the flat 0.x layout that moved into a group; never prints a secret.
 */
export function resolveOptions(options: DeepSeekPoolOptions): ResolvedPoolOptions {
  // JavaScript callers and config files are not type-checked: validate what arrives, not what the type promises
  const given: unknown = options;
  if (given === null || typeof given !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  rejectMovedOptions(options);
  const defaultBaseUrl = normalizeBaseUrl(options.defaultBaseUrl ?? DEFAULT_BASE_URL, 'defaultBaseUrl');
  const keysGiven: unknown = options.keys; // not type-checked in JavaScript callers
  if (keysGiven === undefined) throw new InvalidOptionsError('keys', 'is required');
  const keys = parseKeys(options.keys, defaultBaseUrl);
  const strategy = options.strategy ?? 'p2c-ewma';
  if (!STRATEGY_NAMES.includes(strategy)) {
    throw new InvalidOptionsError('strategy', `unknown strategy "${strategy}" (one of ${STRATEGY_NAMES.join(', ')})`);
  }
  const t = options.timeouts ?? {};
  const breaker = { ...DEFAULT_BREAKER_POLICY, ...options.breaker };
  for (const [name, value] of Object.entries(breaker)) {
    if (name === 'errorThresholdPercentage') {
      if (typeof value !== 'number' || value <= 0 || value > 100)
        throw new InvalidOptionsError(`breaker.${name}`, `must be in (0, 100] (got ${String(value)})`);
    } else if (name === 'volumeThreshold') {
      nonNegativeNumber(value, `breaker.${name}`);
    } else {
      positiveInteger(value, `breaker.${name}`);
    }
  }
  if (breaker.halfOpenSuccessesToClose > breaker.halfOpenMaxTrials) {
    throw new InvalidOptionsError('breaker.halfOpenSuccessesToClose', 'must be <= breaker.halfOpenMaxTrials');
  }
  const retry = group(options.retry, 'retry');
  const budget = group(retry.budget, 'retry.budget');
  const backoff = group(retry.backoff, 'retry.backoff');
  const health = group(options.health, 'health');
  const redactor = options.redactor ?? new Redactor();
  redactor.add(...keys.map((key) => key.apiKey));
  const modelLabels = new ModelLabels();
  modelLabels.learn(keys.flatMap(servedModels));
  return {
    keys,
    accountLimits: accountLimits(options.accounts ?? {}, keys),
    accountUsageLimits: accountUsageLimits(options.accounts ?? {}),
    tokenEstimate: {
      charsPerToken: positiveNumber(options.tokenEstimate?.charsPerToken ?? 4, 'tokenEstimate.charsPerToken'),
      completionTokens: positiveInteger(
        options.tokenEstimate?.completionTokens ?? 1_024,
        'tokenEstimate.completionTokens',
      ),
    },
    affinity: resolveAffinity(options.affinity),
    defaultBaseUrl,
    strategy,
    maxAttempts: positiveInteger(retry.maxAttempts ?? 3, 'retry.maxAttempts'),
    timeouts: {
      firstByteMs: positiveNumber(t.firstByteMs ?? 30_000, 'timeouts.firstByteMs'),
      firstContentMs: positiveNumber(t.firstContentMs ?? 60_000, 'timeouts.firstContentMs'),
      idleMs: positiveNumber(t.idleMs ?? 30_000, 'timeouts.idleMs'),
      attemptMs: positiveNumber(t.attemptMs ?? 300_000, 'timeouts.attemptMs'),
      requestMs: positiveNumber(t.requestMs ?? 600_000, 'timeouts.requestMs'),
    },
    maxWaitForKeyMs: nonNegativeNumber(retry.maxWaitForKeyMs ?? 2_000, 'retry.maxWaitForKeyMs'),
    cooldown: {
      baseMs: positiveNumber(options.cooldown?.baseMs ?? 1_000, 'cooldown.baseMs'),
      maxMs: positiveNumber(options.cooldown?.maxMs ?? 60_000, 'cooldown.maxMs'),
      maxRetryAfterMs: positiveNumber(options.cooldown?.maxRetryAfterMs ?? 300_000, 'cooldown.maxRetryAfterMs'),
    },
    backoff: {
      baseMs: positiveNumber(backoff.baseMs ?? 50, 'retry.backoff.baseMs'),
      maxMs: positiveNumber(backoff.maxMs ?? 1_000, 'retry.backoff.maxMs'),
    },
    retryBudget: {
      ratio: nonNegativeNumber(budget.ratio ?? 0.2, 'retry.budget.ratio'),
      minRetriesPerSecond: nonNegativeNumber(budget.minRetriesPerSecond ?? 10, 'retry.budget.minRetriesPerSecond'),
      windowMs: positiveNumber(budget.windowMs ?? 10_000, 'retry.budget.windowMs'),
    },
    breaker,
    latencyDecayMs: positiveNumber(options.latencyDecayMs ?? 10_000, 'latencyDecayMs'),
    transport: options.transport,
    store: options.store,
    metrics: options.metrics && modelLabelledMetrics(options.metrics, modelLabels),
    modelLabels,
    telemetry: resolveTelemetryOptions(options.telemetry),
    logger: options.logger,
    redactor,
    clock: options.clock ?? systemClock,
    rng: options.rng ?? Math.random,
    probe: resolveProbeOptions(health.probe),
    synthetic: resolveSyntheticOptions(health.synthetic),
    validateOnStart: resolveValidateOnStart(health.validateOnStart),
    continuation: {
      enabled: flag(options.continuation?.enabled ?? true, 'continuation.enabled'),
      maxAttempts: positiveInteger(options.continuation?.maxAttempts ?? 2, 'continuation.maxAttempts'),
    },
    limits: resolveExchangeLimits(options.limits),
    hedging: resolveHedging(options.hedging),
  };
}

function resolveHedging(options: DeepSeekPoolOptions['hedging']): HedgeSettings {
  const h = options === false ? { enabled: false } : (options ?? {});
  const percentile = positiveNumber(h.percentile ?? 95, 'hedging.percentile');
  if (percentile >= 100) throw new InvalidOptionsError('hedging.percentile', `must be below 100 (got ${percentile})`);
  const floorMs = positiveNumber(h.floorMs ?? 20, 'hedging.floorMs');
  const capMs = positiveNumber(h.capMs ?? 10_000, 'hedging.capMs');
  if (capMs < floorMs) throw new InvalidOptionsError('hedging.capMs', 'must be >= hedging.floorMs');
  return {
    enabled: flag(h.enabled ?? true, 'hedging.enabled'),
    percentile,
    floorMs,
    capMs,
    ...(h.fixedMs === undefined ? {} : { fixedMs: positiveNumber(h.fixedMs, 'hedging.fixedMs') }),
    minSamples: positiveInteger(h.minSamples ?? 20, 'hedging.minSamples'),
    windowMs: positiveNumber(h.windowMs ?? 30_000, 'hedging.windowMs'),
    minYield: share(h.minYield ?? 0.25, 'hedging.minYield'),
    budget: {
      ratio: nonNegativeNumber(h.budget?.ratio ?? 0.05, 'hedging.budget.ratio'),
      minRetriesPerSecond: nonNegativeNumber(h.budget?.minRetriesPerSecond ?? 1, 'hedging.budget.minRetriesPerSecond'),
      windowMs: positiveNumber(h.budget?.windowMs ?? 10_000, 'hedging.budget.windowMs'),
    },
  };
}

/** An option group: absent is empty; anything but a plain object fails naming the group. */
function group<T extends object>(value: T | undefined, field: string): Partial<T> {
  if (value === undefined) return {};
  const given: unknown = value; // not type-checked in JavaScript callers
  if (given === null || typeof given !== 'object' || Array.isArray(value))
    throw new InvalidOptionsError(field, 'must be an object');
  return value;
}

/** The models a key is configured for: its `models` and the names of its `modelMap`. */
export function servedModels(key: KeyConfig): string[] {
  return [...(key.models ?? []), ...Object.keys(key.modelMap)];
}

function accountLimits(accounts: Record<string, AccountOptions>, keys: KeyConfig[]): Map<string, number> {
  const known = new Set(keys.map((k) => k.account));
  const limits = new Map<string, number>();
  for (const [name, account] of Object.entries(accounts)) {
    if (!known.has(name)) throw new InvalidOptionsError(`accounts.${name}`, 'no key uses this account');
    if (account.maxConcurrency !== undefined)
      limits.set(name, positiveInteger(account.maxConcurrency, `accounts.${name}.maxConcurrency`));
  }
  return limits;
}

function accountUsageLimits(accounts: Record<string, AccountOptions>): Map<string, UsageLimits> {
  const limits = new Map<string, UsageLimits>();
  for (const [name, account] of Object.entries(accounts)) {
    const parsed = parseUsageLimits(account.limits, `accounts.${name}.limits`);
    if (parsed) limits.set(name, parsed);
  }
  return limits;
}
