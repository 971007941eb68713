import { InvalidOptionsError } from '../deepseek-pool.errors.js';

/*
 * The validators every options section shares: each takes the raw value and the option's path (`field`, used in the
 * message) and returns the value typed, or throws InvalidOptionsError.
 */

/** Validates and normalizes a base URL: http(s), no trailing slash, no credentials. */
export function normalizeBaseUrl(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidOptionsError(field, 'must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidOptionsError(field, `is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidOptionsError(field, 'must use http or https');
  if (url.username || url.password) throw new InvalidOptionsError(field, 'must not contain credentials');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function positiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new InvalidOptionsError(field, `must be a number > 0 (got ${String(value)})`);
  return value;
}

export function nonNegativeNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new InvalidOptionsError(field, `must be a number >= 0 (got ${String(value)})`);
  return value;
}

/** A share of a whole: a number from 0 to 1. */
export function share(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new InvalidOptionsError(field, `must be a number from 0 to 1 (got ${String(value)})`);
  return value;
}

export function positiveInteger(value: unknown, field: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0)
    throw new InvalidOptionsError(field, `must be an integer > 0 (got ${String(value)})`);
  return value as number;
}

export function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionsError(field, `must be true or false (got ${String(value)})`);
  return value;
}

export function integer(value: unknown, field: string): number {
  if (!Number.isInteger(value)) throw new InvalidOptionsError(field, `must be an integer (got ${String(value)})`);
  return value as number;
}

export function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidOptionsError(field, 'must be a non-empty string');
  return value;
}

export function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new InvalidOptionsError(field, 'must be an array of non-empty strings');
  }
  return value as string[];
}

export function stringRecord(value: unknown, field: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidOptionsError(field, 'must be an object of strings');
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new InvalidOptionsError(`${field}.${name}`, 'must be a string');
  }
  return { ...(value as Record<string, string>) };
}

/**
 * Whether a value is an array, keeping the element type it was declared with (`Array.isArray` narrows a readonly
 * array to `any[]`): options typed as arrays may still be anything when they come from JavaScript or JSON.
 */
export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}
