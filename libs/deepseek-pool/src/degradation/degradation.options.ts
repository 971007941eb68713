import type { LoggerService } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionRequest } from '../chat.types.js';
import { type Clock, systemClock } from '../clock.js';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import type { ResolvedPoolOptions } from '../deepseek-pool.options.js';
import { isList, nonNegativeNumber, positiveInteger, positiveNumber } from '../options/validation.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import { redactedLogger } from '../redaction/redacting-logger.js';
import { Redactor } from '../redaction/redactor.js';
import { DEGRADATION_TIERS, type DegradationTier } from './degradation-tiers.js';
import { DEFAULT_FALLBACK_MESSAGE, fallbackCompletion, fallbackErrorBody } from './fallback-response.js';
import type { ModelFallbacks } from './model-fallback.js';
import type { PoolBreakerPolicy } from './pool-breaker.js';
import type { ResponseCacheStore } from './response-cache.js';
import { type TenantExtractor, defaultTenant } from './tenant.js';

/** How the last tier answers: as an error (HTTP 503 + Retry-After) or as an assistant message (HTTP 200). */
export type FallbackOptions =
  | {
      /**
       * HTTP 503 with Retry-After; `pool.chat(..., { degrade: true })` throws DegradedUnavailableError. The default.
       */
      as?: 'error';
      /** Text of the error. Default "System busy, please retry shortly". */
      message?: string;
      /** The whole 503 body instead of the OpenAI error envelope around `message`. */
      body?: (request: ChatCompletionRequest) => unknown;
    }
  | {
      /** A 200 assistant message; `pool.chat` resolves with it, marked `degraded: 'fallback'`. */
      as: 'message';
      /** Text of the message. Default "System busy, please retry shortly". */
      message?: string;
      /** The whole chat completion instead of one assistant message saying `message`. */
      body?: (request: ChatCompletionRequest) => ChatCompletion;
    };

/** The fallback with its defaults applied: a body builder per mode. */
export type ResolvedFallback =
  | { as: 'error'; body: (request: ChatCompletionRequest, nowMs: number) => unknown }
  | { as: 'message'; body: (request: ChatCompletionRequest, nowMs: number) => ChatCompletion };

/** Options of `DeepSeekDegradationModule.forRoot`; every field optional, defaults below. */
export interface DeepSeekDegradationOptions {
  /** Tiers tried when the pool cannot serve, in order. Default `['cache', 'model', 'fallback']`. */
  tiers?: DegradationTier[];
  /**
   * A cache-manager cache (e.g. the app's `CACHE_MANAGER` over Keyv + @keyv/redis). Default: an in-memory cache from
   * `CacheModule`.
   */
  cache?: ResponseCacheStore;
  /** How long a good answer may be served when the pool cannot serve, ms. Default 3 600 000 (1 h). */
  cacheTtlMs?: number;
  /** Also cache answers of requests with temperature > 0 (or none: DeepSeek's default is 1). Default false. */
  cacheNonDeterministic?: boolean;
  /** Prefix of every cache key. Default `deepseek-pool:degradation:`. */
  cacheKeyPrefix?: string;
  /**
   * Names the cache scope of a request; undefined: not cached. Default `defaultTenant` (authorization hash,
   * x-tenant-id, body `user`).
   */
  tenant?: TenantExtractor;
  /**
   * Lighter models per model, tried in order (and their own lighter models after them). Default `{ 'deepseek-v4-pro':
   * ['deepseek-v4-flash'] }`.
   */
  modelFallbacks?: Record<string, string[]>;
  /** The last tier. Default: HTTP 503 with Retry-After and "System busy, please retry shortly". */
  fallback?: FallbackOptions;
  /**
   * Pool-wide breaker. Defaults: above 50% errors over 60 s (10 buckets) with at least 20 calls opens it; 30 s open; 3
   * trial calls.
   */
  breaker?: Partial<PoolBreakerPolicy>;
  /** Metrics sink (`degraded(tier, model)`). Default: the pool's. */
  metrics?: PoolMetricsRecorder;
  /**
   * Nest logger, or false for silence. Default: the pool's setting, else Nest's Logger with context
   * "DeepSeekDegradation".
   */
  logger?: LoggerService | false;
  /** Time source of the cache TTL and the pool breaker. Default: the pool's clock. */
  clock?: Clock;
}

/** Options after validation, with every default applied. */
export interface ResolvedDegradationOptions {
  tiers: readonly DegradationTier[];
  cache?: ResponseCacheStore;
  cacheTtlMs: number;
  cacheNonDeterministic: boolean;
  cacheKeyPrefix: string;
  tenant: TenantExtractor;
  modelFallbacks: ModelFallbacks;
  fallback: ResolvedFallback;
  breaker: PoolBreakerPolicy;
  metrics?: PoolMetricsRecorder;
  logger: LoggerService | undefined;
  clock: Clock;
}

/** The `model` tier's default: deepseek-v4-pro falls back to deepseek-v4-flash. */
export const DEFAULT_MODEL_FALLBACKS: ModelFallbacks = Object.freeze({
  'deepseek-v4-pro': Object.freeze(['deepseek-v4-flash']),
});

/** The pool-wide breaker's default: opens at 50% failures over 60 s (20 calls at least), probes after 30 s. */
export const DEFAULT_POOL_BREAKER_POLICY: Readonly<PoolBreakerPolicy> = Object.freeze({
  errorThresholdPercentage: 50,
  windowMs: 60_000,
  buckets: 10,
  minimumVolume: 20,
  resetTimeoutMs: 30_000,
  halfOpenTrials: 3,
});

/**
 * Validates options and applies defaults (falling back to the pool's clock, metrics and logger). Throws
 * InvalidOptionsError naming the field.
 */
export function resolveDegradationOptions(
  options: DeepSeekDegradationOptions = {},
  pool?: Pick<ResolvedPoolOptions, 'clock' | 'metrics' | 'logger'> & Partial<Pick<ResolvedPoolOptions, 'redactor'>>,
): ResolvedDegradationOptions {
  const given: unknown = options; // not type-checked in JavaScript callers
  if (given === null || typeof given !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  const logger = options.logger ?? pool?.logger;
  return {
    tiers: tiers(options.tiers ?? DEGRADATION_TIERS),
    cache: options.cache,
    cacheTtlMs: positiveNumber(options.cacheTtlMs ?? 3_600_000, 'cacheTtlMs'),
    cacheNonDeterministic: options.cacheNonDeterministic ?? false,
    cacheKeyPrefix: options.cacheKeyPrefix ?? 'deepseek-pool:degradation:',
    tenant: options.tenant ?? defaultTenant,
    modelFallbacks: modelFallbacks(options.modelFallbacks ?? DEFAULT_MODEL_FALLBACKS),
    fallback: resolveFallback(options.fallback, 'fallback'),
    breaker: breakerPolicy({ ...DEFAULT_POOL_BREAKER_POLICY, ...options.breaker }),
    metrics: options.metrics ?? pool?.metrics,
    logger: redactedLogger(logger, 'DeepSeekDegradation', pool?.redactor ?? new Redactor()),
    clock: options.clock ?? pool?.clock ?? systemClock,
  };
}

/** Validates a fallback (module-wide or one route's) and applies its defaults. */
export function resolveFallback(options: FallbackOptions = {}, field: string): ResolvedFallback {
  const message = options.message ?? DEFAULT_FALLBACK_MESSAGE;
  if (typeof message !== 'string' || message.trim() === '')
    throw new InvalidOptionsError(`${field}.message`, 'must be a non-empty string');
  if (options.as === 'message')
    return { as: 'message', body: options.body ?? ((request, nowMs) => fallbackCompletion(request, message, nowMs)) };
  const as: unknown = options.as; // not type-checked in JavaScript callers
  if (as !== undefined && as !== 'error')
    throw new InvalidOptionsError(`${field}.as`, `must be "error" or "message" (got ${String(options.as)})`);
  return { as: 'error', body: options.body ?? (() => fallbackErrorBody(message)) };
}

function tiers(value: readonly DegradationTier[]): readonly DegradationTier[] {
  if (
    !isList(value) ||
    value.some((tier) => !DEGRADATION_TIERS.includes(tier)) ||
    new Set(value).size !== value.length
  ) {
    throw new InvalidOptionsError('tiers', `must list distinct tiers among ${DEGRADATION_TIERS.join(', ')}`);
  }
  return value;
}

function modelFallbacks(value: Record<string, readonly string[]>): ModelFallbacks {
  const given: unknown = value; // not type-checked in JavaScript callers
  if (given === null || typeof given !== 'object')
    throw new InvalidOptionsError('modelFallbacks', 'must be an object of model -> lighter models');
  for (const [model, lighter] of Object.entries(value)) {
    if (!Array.isArray(lighter) || lighter.some((m) => typeof m !== 'string' || m === '' || m === model)) {
      throw new InvalidOptionsError(`modelFallbacks.${model}`, 'must be an array of other model names');
    }
  }
  return value;
}

function breakerPolicy(policy: PoolBreakerPolicy): PoolBreakerPolicy {
  const threshold = policy.errorThresholdPercentage;
  if (typeof threshold !== 'number' || threshold < 0 || threshold >= 100) {
    throw new InvalidOptionsError('breaker.errorThresholdPercentage', `must be in [0, 100) (got ${String(threshold)})`);
  }
  positiveNumber(policy.windowMs, 'breaker.windowMs');
  positiveInteger(policy.buckets, 'breaker.buckets');
  nonNegativeNumber(policy.minimumVolume, 'breaker.minimumVolume');
  positiveNumber(policy.resetTimeoutMs, 'breaker.resetTimeoutMs');
  positiveInteger(policy.halfOpenTrials, 'breaker.halfOpenTrials');
  return policy;
}
