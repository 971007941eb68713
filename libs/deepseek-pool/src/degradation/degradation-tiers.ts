import { AttemptsExhaustedError, DeadlineExceededError, NoAvailableKeyError } from '../deepseek-pool.errors.js';
import { PoolBreakerOpenError } from './degradation.errors.js';

/** Where a degraded answer comes from. */
export type DegradationTier = 'cache' | 'model' | 'fallback';

/** Every tier, in the default order. */
export const DEGRADATION_TIERS: readonly DegradationTier[] = Object.freeze(['cache', 'model', 'fallback']);

/**
 * True when the pool could not serve (no key, attempts exhausted, deadline, pool breaker open): the only errors that
 * degrade.
 */
export function cannotServe(error: unknown): boolean {
  return (
    error instanceof NoAvailableKeyError ||
    error instanceof AttemptsExhaustedError ||
    error instanceof DeadlineExceededError ||
    error instanceof PoolBreakerOpenError
  );
}

/** The pool's hint of when to come back, ms, when the error carries one. */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (
    error instanceof NoAvailableKeyError ||
    error instanceof AttemptsExhaustedError ||
    error instanceof PoolBreakerOpenError
  )
    return error.retryAfterMs;
  return undefined;
}

/** What decides which tiers can answer one request. */
export interface TierContext {
  /** The request may be answered from the cache (a tenant scope, and deterministic or opted in). */
  cacheable: boolean;
  /** Lighter models are configured for the requested model. */
  hasLighterModels: boolean;
  /** The pool breaker lets no call upstream now (a lighter model would be an upstream call). */
  upstreamPaused: boolean;
}

/** The tiers to try for one request, in the configured order, without those that cannot answer it. */
export function planTiers(order: readonly DegradationTier[], context: TierContext): DegradationTier[] {
  return order.filter((tier) => {
    if (tier === 'cache') return context.cacheable;
    if (tier === 'model') return context.hasLighterModels && !context.upstreamPaused;
    return true;
  });
}
