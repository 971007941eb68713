import type { ChatCompletionRequest } from './chat.types.js';
import { InvalidRequestError } from './deepseek-pool.errors.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'developer']);
/** Longest model name accepted: model names reach metrics, logs and error messages. */
export const MAX_MODEL_CHARS = 256;

/** Rejects a malformed chat request before any upstream call; the error names the field. */
export function validateChatRequest(body: unknown): asserts body is ChatCompletionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidRequestError('body', 'must be a JSON object');
  const request = body as Record<string, unknown>;
  if (typeof request.model !== 'string' || request.model.trim() === '')
    throw new InvalidRequestError('model', 'must be a non-empty string');
  if (request.model.length > MAX_MODEL_CHARS)
    throw new InvalidRequestError(
      'model',
      `must be at most ${MAX_MODEL_CHARS} characters (got ${request.model.length})`,
    );
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    throw new InvalidRequestError('messages', 'must be a non-empty array');
  request.messages.forEach((message: unknown, index) => validateMessage(message, `messages[${index}]`));
  optional(request, 'stream', (v) => typeof v === 'boolean', 'must be a boolean');
  optional(request, 'temperature', (v) => typeof v === 'number' && v >= 0 && v <= 2, 'must be a number from 0 to 2');
  optional(request, 'top_p', (v) => typeof v === 'number' && v >= 0 && v <= 1, 'must be a number from 0 to 1');
  optional(request, 'max_tokens', (v) => Number.isInteger(v) && (v as number) > 0, 'must be a positive integer');
  optional(request, 'tools', (v) => Array.isArray(v), 'must be an array');
  optional(request, 'stream_options', (v) => typeof v === 'object' && v !== null, 'must be an object');
}

function validateMessage(message: unknown, field: string): void {
  if (message === null || typeof message !== 'object' || Array.isArray(message))
    throw new InvalidRequestError(field, 'must be an object');
  const { role, content } = message as Record<string, unknown>;
  if (typeof role !== 'string' || !ROLES.has(role))
    throw new InvalidRequestError(`${field}.role`, `must be one of ${[...ROLES].join(', ')}`);
  const hasToolCalls = Array.isArray((message as Record<string, unknown>).tool_calls);
  if (content === undefined || content === null) {
    if (role === 'assistant' && hasToolCalls) return;
    throw new InvalidRequestError(`${field}.content`, 'is required');
  }
  if (typeof content !== 'string' && !Array.isArray(content))
    throw new InvalidRequestError(`${field}.content`, 'must be a string or an array of parts');
}

function optional(
  request: Record<string, unknown>,
  field: string,
  valid: (value: unknown) => boolean,
  problem: string,
): void {
  if (request[field] !== undefined && request[field] !== null && !valid(request[field]))
    throw new InvalidRequestError(field, problem);
}
