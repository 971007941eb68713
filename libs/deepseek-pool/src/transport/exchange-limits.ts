import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { positiveInteger, positiveNumber } from '../options/validation.js';

/** Bounds on what one upstream exchange may make this process hold, and on how long a caller may stop reading. */
export interface ExchangeLimits {
  /**
   * Largest non-streaming upstream body, bytes (keep-alive blank lines included); over it the attempt fails as the
   * upstream's.
   */
  maxResponseBytes: number;
  /** Longest SSE line (bytes) and largest SSE event (data characters); over it the attempt fails as the upstream's. */
  maxSseLineBytes: number;
  /** Longest a stream's reader may stop reading (back-pressure) before the stream ends as the caller's fault. */
  maxClientStallMs: number;
}

/** 32 MiB per non-streaming body, 1 MiB per SSE line or event, 60 s of reader stall. */
export const DEFAULT_EXCHANGE_LIMITS: Readonly<ExchangeLimits> = Object.freeze({
  maxResponseBytes: 32 * 1024 * 1024,
  maxSseLineBytes: 1024 * 1024,
  maxClientStallMs: 60_000,
});

const FIELDS = Object.keys(DEFAULT_EXCHANGE_LIMITS) as Array<keyof ExchangeLimits>;

/** Validates the `limits` option (every field optional, each > 0; byte sizes are integers); names the bad field. */
export function resolveExchangeLimits(value: unknown): ExchangeLimits {
  if (value === undefined) return { ...DEFAULT_EXCHANGE_LIMITS };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidOptionsError('limits', 'must be an object');
  const input = value as Record<string, unknown>;
  const unknown = Object.keys(input).find((name) => !(FIELDS as string[]).includes(name));
  if (unknown !== undefined)
    throw new InvalidOptionsError(`limits.${unknown}`, `is not a limit (one of ${FIELDS.join(', ')})`);
  const field = (name: keyof ExchangeLimits): unknown => input[name] ?? DEFAULT_EXCHANGE_LIMITS[name];
  return {
    maxResponseBytes: positiveInteger(field('maxResponseBytes'), 'limits.maxResponseBytes'),
    maxSseLineBytes: positiveInteger(field('maxSseLineBytes'), 'limits.maxSseLineBytes'),
    maxClientStallMs: positiveNumber(field('maxClientStallMs'), 'limits.maxClientStallMs'),
  };
}
