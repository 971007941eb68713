import type { Currency } from './types.js';
import type { Usage } from './usage.js';

const ENDPOINTS = ['chat', 'models', 'balance'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** Counters of one key, for assertions. */
export interface KeyCounters {
  /** Requests received, by endpoint. */
  requests: Record<Endpoint, number>;
  /** Responses sent, by HTTP status (counted when the status line goes out; a status never sent has no entry). */
  responses: Partial<Record<string, number>>;
  streams: { started: number; completed: number; cut: number; errorEvents: number };
  /** Chat requests refused by the account concurrency ceiling, the key's rate limit, or an empty balance. */
  rejections: { concurrency: number; rateLimit: number; balance: number };
  /** Connections the client closed before the response finished. */
  clientAborts: number;
  /** Connections reset by the `reset` fault. */
  resets: number;
  /** Chat requests holding an account concurrency slot (arrival until the response completes or the socket closes). */
  inFlight: number;
  peakInFlight: number;
  tokens: { prompt: number; completion: number; cacheHit: number; cacheMiss: number };
}

export interface KeyStats extends KeyCounters {
  key: string;
  account: string;
}

export interface AccountStats {
  inFlight: number;
  peakInFlight: number;
  maxConcurrency: number | null;
  balance: number;
  currency: Currency;
  /** Charged since start (or the last counter reset). */
  spent: number;
}

/** `mock.stats()` / `GET /_mock/stats`: a plain JSON-able snapshot. */
export interface MockStats {
  uptimeMs: number;
  /** Requests with a missing or unknown key (answered 401), by endpoint. */
  unauthenticated: Record<Endpoint, number>;
  /** Requests over every key and the unauthenticated ones, by endpoint. */
  totalRequests: Record<Endpoint, number>;
  /** Keys by name. */
  keys: Record<string, KeyStats>;
  accounts: Record<string, AccountStats>;
}

export function endpointCounts(): Record<Endpoint, number> {
  return { chat: 0, models: 0, balance: 0 };
}

export function newKeyCounters(inFlight = 0): KeyCounters {
  return {
    requests: endpointCounts(),
    responses: {},
    streams: { started: 0, completed: 0, cut: 0, errorEvents: 0 },
    rejections: { concurrency: 0, rateLimit: 0, balance: 0 },
    clientAborts: 0,
    resets: 0,
    inFlight,
    peakInFlight: inFlight,
    tokens: { prompt: 0, completion: 0, cacheHit: 0, cacheMiss: 0 },
  };
}

export function addUsage(c: KeyCounters, usage: Usage): void {
  c.tokens.prompt += usage.prompt_tokens;
  c.tokens.completion += usage.completion_tokens;
  c.tokens.cacheHit += usage.prompt_cache_hit_tokens;
  c.tokens.cacheMiss += usage.prompt_cache_miss_tokens;
}

export function sumEndpointCounts(counts: ReadonlyArray<Record<Endpoint, number>>): Record<Endpoint, number> {
  const total = endpointCounts();
  for (const c of counts) for (const e of ENDPOINTS) total[e] += c[e];
  return total;
}
