import { SetMetadata } from '@nestjs/common';
import { DEGRADABLE_METADATA } from './degradation.constants.js';
import { type FallbackOptions, type ResolvedFallback, resolveFallback } from './degradation.options.js';
import type { HttpRequestLike, TenantExtractor } from './tenant.js';

/** The HTTP request as a route's request extractor sees it. */
export interface DegradableHttpRequest extends HttpRequestLike {
  /** The parsed request body. */
  body?: unknown;
}

/** Per-route settings of `@Degradable()`. */
export interface DegradableOptions {
  /** The chat request the handler sends to the pool. Default: the JSON body. */
  request?: (http: DegradableHttpRequest) => unknown;
  /** Cache scope of this route's requests. Default: the module's `tenant`. */
  tenant?: TenantExtractor;
  /** This route's last tier. Default: the module's `fallback`. */
  fallback?: FallbackOptions;
}

/** Route settings as stored in the metadata, fallback validated. */
export interface DegradableRoute {
  request: (http: DegradableHttpRequest) => unknown;
  tenant?: TenantExtractor;
  fallback?: ResolvedFallback;
}

/**
 * Marks a handler that calls the pool as degradable: with DeepSeekDegradationInterceptor on the route (or app-wide),
 * when the pool cannot serve, the answer comes from the cache, a lighter model or the fallback, marked as degraded.
 * The handler calls the pool without `degrade` and returns the chat completion body, or for `stream: true` requests
 * an Observable of chunks (`pool.stream(body).toObservable()`); degraded answers come back in the same shape.
 */
export function Degradable(options: DegradableOptions = {}): MethodDecorator & ClassDecorator {
  const route: DegradableRoute = {
    request: options.request ?? ((http) => http.body),
    tenant: options.tenant,
    fallback: options.fallback === undefined ? undefined : resolveFallback(options.fallback, 'Degradable.fallback'),
  };
  return SetMetadata(DEGRADABLE_METADATA, route);
}
