import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { positiveInteger } from '../options/validation.js';
import type { UsageLimits } from './usage-window.js';

const LIMIT_FIELDS: ReadonlyArray<keyof UsageLimits> = ['requestsPerMinute', 'tokensPerMinute', 'tokensPerDay'];

/** Validates `limits` of a key or an account (each field an integer > 0); undefined when none is set. */
export function parseUsageLimits(value: unknown, field: string): UsageLimits | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidOptionsError(field, 'must be an object');
  const input = value as Record<string, unknown>;
  const unknown = Object.keys(input).find((name) => !(LIMIT_FIELDS as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw new InvalidOptionsError(`${field}.${unknown}`, `is not a limit (one of ${LIMIT_FIELDS.join(', ')})`);
  const limits: UsageLimits = {};
  for (const name of LIMIT_FIELDS) {
    if (input[name] !== undefined) limits[name] = positiveInteger(input[name], `${field}.${name}`);
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}
