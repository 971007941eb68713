// Entry point `nestjs-deepseek-pool`: the public API, reviewed in etc/index.api.md (`npm run api` updates it; CI fails
// when it differs). Its types need only the required peers (@nestjs/common, @nestjs/core, rxjs). Optional peers have
// their own entry points: `/health` (@nestjs/terminus), `/redis` (ioredis), `/axios` (@nestjs/axios); test helpers
// are in `/testing`.

// Module and service
export { DeepSeekPoolModule } from './deepseek-pool.module.js';
export type { DeepSeekPoolAsyncOptions } from './deepseek-pool.module-definition.js';
export { DEEPSEEK_POOL_DEGRADER } from './deepseek-pool.constants.js';
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
export type { CallOptions } from './resilience/attempt-loop.types.js';
export type { AttemptMeta, ContinuationRecord } from './call.types.js';

// Options
export {
  type DeepSeekPoolOptions,
  type AccountOptions,
  type TimeoutOptions,
  type RetryOptions,
  type HealthOptions,
  DEFAULT_BASE_URL,
} from './deepseek-pool.options.js';
export type { KeyOptions, KeysInput } from './keys/key-config.js';
export type { StrategyName } from './routing/strategy.js';
export { type AffinityOption, userAffinity } from './routing/affinity.js';
export type { BreakerPolicy } from './keys/breaker-policy.js';
export type { HedgeSettings } from './resilience/hedge-policy.js';
export type { HedgeSkip } from './call.types.js';
export type { ContinuationSettings } from './streaming/stream-continuation.js';
export type { ContinuationMode } from './keys/continuation-mode.js';
export type { UsageLimits } from './limits/usage-window.js';
export { type TokenEstimateOptions, estimateTokens } from './limits/token-estimate.js';
export type { TelemetryOptions, TracerProviderLike, MeterProviderLike } from './telemetry/telemetry-options.js';
export { type ExchangeLimits, DEFAULT_EXCHANGE_LIMITS } from './transport/exchange-limits.js';
export type { ProbeOptions, SyntheticOptions, ValidateOnStart, BalanceMode } from './options/probe-options.js';
export type { Clock, Rng } from './clock.js';

// Requests, responses, errors, events
export type * from './chat.types.js';
export { validateChatRequest } from './request-validation.js';
export * from './deepseek-pool.errors.js';
export { PoolEvents, type PoolEventMap, type PoolEventName } from './deepseek-pool.events.js';
export type { Outcome, DisableReason } from './resilience/outcome.js';
export {
  type ThresholdCrossing,
  type QuotaThreshold,
  type LimitName,
  QUOTA_THRESHOLDS,
} from './limits/quota-thresholds.js';

// State: snapshots, the state store shared by replicas
export type { PoolSnapshot, KeySnapshot, KeyState } from './pool-snapshot.js';
export type { BreakerState } from './keys/key-breaker.js';
export type { TokenTotals } from './keys/key-slot.js';
export type { PoolStateStore, DisabledState, StateChange } from './state/pool-state-store.js';
export type { UsageTotals, UsageDelta, UsageReader, UsageStore } from './limits/usage-window.js';
export { MemoryStateStore } from './state/memory-state-store.js';

// Transports, metrics, redaction
export type { Transport, TransportRequest, TransportResponse } from './transport/transport.js';
export { UndiciTransport, type UndiciTransportOptions } from './transport/undici.transport.js';
export type {
  PoolMetricsRecorder,
  AttemptMetric,
  RequestMetric,
  ContinuationMetric,
  HedgeMetric,
  HedgeSkipMetric,
  HedgeWinMetric,
} from './metrics/metrics-recorder.js';
export { Redactor } from './redaction/redactor.js';
export { RedactingLogger } from './redaction/redacting-logger.js';
export { maskKey } from './redaction/mask.js';

// Health probing (the terminus indicator and controller are in `/health`)
export { DeepSeekPoolProber } from './health/probing/deepseek-pool.prober.js';

// Degradation
export { DeepSeekDegradationModule } from './degradation/degradation.module.js';
export type { DeepSeekDegradationAsyncOptions } from './degradation/degradation.module-definition.js';
export {
  DeepSeekDegradationService,
  type DegradationInput,
  type DegradationOutcome,
} from './degradation/degradation.service.js';
export { DeepSeekDegradationInterceptor } from './degradation/degradation.interceptor.js';
export { Degradable, type DegradableOptions, type DegradableHttpRequest } from './degradation/degradable.decorator.js';
export { DEGRADED_HEADER } from './degradation/degradation.constants.js';
export {
  type DeepSeekDegradationOptions,
  type FallbackOptions,
  DEFAULT_MODEL_FALLBACKS,
  DEFAULT_POOL_BREAKER_POLICY,
} from './degradation/degradation.options.js';
export { PoolBreakerOpenError, DegradedUnavailableError } from './degradation/degradation.errors.js';
export { type DegradationTier, DEGRADATION_TIERS } from './degradation/degradation-tiers.js';
export type { PoolBreakerPolicy, PoolBreakerState } from './degradation/pool-breaker.js';
export { type TenantExtractor, type HttpRequestLike, defaultTenant } from './degradation/tenant.js';
export type { ResponseCacheStore } from './degradation/response-cache.js';
export type { ModelFallbacks } from './degradation/model-fallback.js';
export { DEFAULT_FALLBACK_MESSAGE } from './degradation/fallback-response.js';
