import { createHash } from 'node:crypto';
import type { ChatCompletionRequest } from '../chat.types.js';

/** Request fields that change how an answer is delivered, not what it says: left out of the key. */
const DELIVERY_FIELDS: ReadonlySet<string> = new Set(['stream', 'stream_options']);

/**
 * The cache key of a request within a tenant's scope: sha256 over the tenant and every answer-shaping field
 * (model, messages, tools, tool_choice, response_format, temperature, top_p, max_tokens, stop, thinking, ...),
 * in canonical order. Streamed and non-streamed requests share a key; nothing of the tenant is readable in it.
 */
export function cacheKey(request: ChatCompletionRequest, tenant: string, prefix: string): string {
  const shaping: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) if (!DELIVERY_FIELDS.has(field)) shaping[field] = value;
  return prefix + sha256(canonicalJson([tenant, shaping]));
}

/** JSON with object keys sorted at every depth, so field order never changes a key. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (isRecord(item) ? sortKeys(item) : item));
}

/** Hex sha256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sortKeys(object: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) sorted[key] = object[key];
  return sorted;
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
