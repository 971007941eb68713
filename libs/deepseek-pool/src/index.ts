// Entry point `nestjs-deepseek-pool`: its types need only the required peers (@nestjs/common, @nestjs/core, rxjs).
// Optional peers have their own entry points: `/health` (@nestjs/terminus), `/redis` (ioredis), `/axios`
// (@nestjs/axios).
export { DeepSeekPoolModule } from './deepseek-pool.module.js';
export type { DEEPSEEK_POOL_ASYNC_OPTIONS_TYPE as DeepSeekPoolAsyncOptions } from './deepseek-pool.module-definition.js';
export { DEEPSEEK_POOL_OPTIONS, DEEPSEEK_POOL_DEGRADER } from './deepseek-pool.constants.js';
export {
  DeepSeekPoolService,
  type PoolResult,
  type ChatOptions,
  type StreamOptions,
  type ChatDegrader,
  type DegradeOptions,
  type DegradedTier,
  type PoolChatCall,
} from './deepseek-pool.service.js';
export { DeepSeekPoolAdmin, type ExportedKey, type ManualDisableReason } from './deepseek-pool.admin.js';
export { createDeepSeekPool, type DeepSeekPool } from './create-deepseek-pool.js';
export type { DirectCallResult } from './transport/direct-call.js';
export { PoolStream } from './streaming/pool-stream.js';
export {
  type DeepSeekPoolOptions,
  type ResolvedPoolOptions,
  type AccountOptions,
  type TimeoutOptions,
  DEFAULT_BASE_URL,
  resolveOptions,
} from './deepseek-pool.options.js';
export * from './deepseek-pool.errors.js';
export { PoolEvents, type HedgeSkip, type PoolEventMap, type PoolEventName } from './deepseek-pool.events.js';
export type * from './chat.types.js';
export { type Clock, type Rng, systemClock, seededRng } from './clock.js';
export type { KeyOptions, KeyConfig } from './keys/key-config.js';
export { maskKey } from './redaction/mask.js';
export { Redactor, MIN_SECRET_RUN, REDACTED } from './redaction/redactor.js';
export { RedactingLogger, MAX_LOG_FIELD_CHARS } from './redaction/redacting-logger.js';
export { MAX_UPSTREAM_TEXT_CHARS } from './redaction/redact-failure.js';
export { ModelLabels, OTHER_MODEL, MAX_KNOWN_MODELS } from './metrics/model-labels.js';
export { validateChatRequest, MAX_MODEL_CHARS } from './request-validation.js';
export type { CallOptions } from './resilience/attempt-loop.types.js';
export type { AttemptMeta, ContinuationRecord } from './call.types.js';
export type { ContinuationMode } from './keys/continuation-mode.js';
export type { ContinuationSettings } from './streaming/stream-continuation.js';
export type { Outcome, Action, DisableReason } from './resilience/outcome.js';
export { classify } from './resilience/classify.js';
export type { BreakerPolicy } from './keys/breaker-policy.js';
export type { BreakerState } from './keys/key-breaker.js';
export type { StrategyName, Candidate, Strategy } from './routing/strategy.js';
export type { PoolSnapshot, KeySnapshot, KeyState } from './pool-snapshot.js';
export type { PoolStateStore, DisabledState, StateChange } from './state/pool-state-store.js';
export { MemoryStateStore } from './state/memory-state-store.js';
export type { UsageLimits, UsageTotals, UsageDelta, UsageReader } from './limits/usage-window.js';
export { type TokenEstimateOptions, estimateTokens } from './limits/token-estimate.js';
export {
  QUOTA_THRESHOLDS,
  type QuotaThreshold,
  type ThresholdCrossing,
  type LimitName,
} from './limits/quota-thresholds.js';
export { type AffinityOption, userAffinity } from './routing/affinity.js';
export type { Transport, TransportRequest, TransportResponse } from './transport/transport.js';
export { UndiciTransport } from './transport/undici.transport.js';
export type {
  PoolMetricsRecorder,
  AttemptMetric,
  RequestMetric,
  ContinuationMetric,
  HedgeMetric,
  HedgeWinMetric,
} from './metrics/metrics-recorder.js';
export type { HedgeSettings } from './resilience/hedge-policy.js';
export type { TelemetryOptions, ResolvedTelemetryOptions } from './telemetry/telemetry-options.js';
export { type ExchangeLimits, DEFAULT_EXCHANGE_LIMITS } from './transport/exchange-limits.js';
export { DeepSeekPoolProber } from './health/probing/deepseek-pool.prober.js';
export type { ProbeOptions, SyntheticOptions, ValidateOnStart } from './options/probe-options.js';
export { DeepSeekDegradationModule } from './degradation/degradation.module.js';
export type { DEEPSEEK_DEGRADATION_ASYNC_OPTIONS_TYPE as DeepSeekDegradationAsyncOptions } from './degradation/degradation.module-definition.js';
export {
  DeepSeekDegradationService,
  type DegradationInput,
  type DegradationOutcome,
} from './degradation/degradation.service.js';
export { DeepSeekDegradationInterceptor } from './degradation/degradation.interceptor.js';
export { Degradable, type DegradableOptions, type DegradableHttpRequest } from './degradation/degradable.decorator.js';
export { DEEPSEEK_DEGRADATION_OPTIONS, DEGRADED_HEADER } from './degradation/degradation.constants.js';
export {
  type DeepSeekDegradationOptions,
  type ResolvedDegradationOptions,
  type FallbackOptions,
  DEFAULT_MODEL_FALLBACKS,
  DEFAULT_POOL_BREAKER_POLICY,
  resolveDegradationOptions,
} from './degradation/degradation.options.js';
export { PoolBreakerOpenError, DegradedUnavailableError } from './degradation/degradation.errors.js';
export { type DegradationTier, DEGRADATION_TIERS, cannotServe } from './degradation/degradation-tiers.js';
export type { PoolBreaker, PoolBreakerPolicy, PoolBreakerState } from './degradation/pool-breaker.js';
export { cacheKey } from './degradation/cache-key.js';
export { type TenantExtractor, type HttpRequestLike, defaultTenant } from './degradation/tenant.js';
export { isCompleteAnswer, type ResponseCacheStore } from './degradation/response-cache.js';
export { DEFAULT_FALLBACK_MESSAGE } from './degradation/fallback-response.js';
export { completionToChunks, assembleChunks } from './degradation/sse-replay.js';
