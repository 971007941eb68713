import type { ChatCompletionRequest } from '../chat.types.js';
import { sha256 } from './cache-key.js';

/** The part of an HTTP request a tenant extractor reads (absent for `pool.chat(request, { degrade: true })`). */
export interface HttpRequestLike {
  /** Request headers by lower-case name. */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Names the cache scope of a request: answers are stored and served only within one scope.
 * `undefined` means "unknown user": the answer is neither stored nor served from the cache.
 */
export type TenantExtractor = (request: ChatCompletionRequest, http: HttpRequestLike | undefined) => string | undefined;

/**
 * Default scope: the authorization header (hashed, never kept raw), `x-tenant-id` and the body's `user`, combined.
 * Combining means a client can narrow its own scope with `user` but never step into another credential's.
 */
export const defaultTenant: TenantExtractor = (request, http) => {
  const authorization = header(http, 'authorization');
  const parts = [
    prefixed('authorization', authorization ? sha256(authorization) : undefined),
    prefixed('tenant', header(http, 'x-tenant-id')),
    prefixed('user', typeof request.user === 'string' ? request.user : undefined),
  ].filter((part): part is string => part !== undefined);
  return parts.length === 0 ? undefined : JSON.stringify(parts);
};

function prefixed(name: string, value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : `${name}:${value}`;
}

function header(http: HttpRequestLike | undefined, name: string): string | undefined {
  const value = http?.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
