import type { ChatCompletionRequest } from './chat.types.js';
import { InvalidRequestError } from './deepseek-pool.errors.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'developer']);
/** Longest model name accepted: model names reach metrics, logs and error messages. */
export const MAX_MODEL_CHARS = 256;

/** The optional fields checked when present (not null), with what a valid value is. Built once, not per request. */
const OPTIONAL_FIELDS: readonly { field: string; valid: (value: unknown) => boolean; problem: string }[] = [
  { field: 'stream', valid: (v) => typeof v === 'boolean', problem: 'must be a boolean' },
  {
    field: 'temperature',
    valid: (v) => typeof v === 'number' && v >= 0 && v <= 2,
    problem: 'must be a number from 0 to 2',
  },
  { field: 'top_p', valid: (v) => typeof v === 'number' && v >= 0 && v <= 1, problem: 'must be a number from 0 to 1' },
  {
    field: 'max_tokens',
    valid: (v) => Number.isInteger(v) && (v as number) > 0,
    problem: 'must be a positive integer',
  },
  { field: 'tools', valid: (v) => Array.isArray(v), problem: 'must be an array' },
  { field: 'stream_options', valid: (v) => typeof v === 'object' && v !== null, problem: 'must be an object' },
];

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
  for (let index = 0; index < request.messages.length; index++) validateMessage(request.messages[index], index);
  for (const { field, valid, problem } of OPTIONAL_FIELDS) {
    const value = request[field];
    if (value !== undefined && value !== null && !valid(value)) throw new InvalidRequestError(field, problem);
  }
}

/** The field name of `messages[index]`, for an error. */
function messageField(index: number): string {
  return `messages[${index}]`;
}

/** Checks `messages[index]`; its field name is only built for an error (a long conversation builds none). */
function validateMessage(message: unknown, index: number): void {
  if (message === null || typeof message !== 'object' || Array.isArray(message))
    throw new InvalidRequestError(messageField(index), 'must be an object');
  const { role, content } = message as Record<string, unknown>;
  if (typeof role !== 'string' || !ROLES.has(role))
    throw new InvalidRequestError(`${messageField(index)}.role`, `must be one of ${[...ROLES].join(', ')}`);
  const hasToolCalls = Array.isArray((message as Record<string, unknown>).tool_calls);
  if (content === undefined || content === null) {
    if (role === 'assistant' && hasToolCalls) return;
    throw new InvalidRequestError(`${messageField(index)}.content`, 'is required');
  }
  if (typeof content !== 'string' && !Array.isArray(content))
    throw new InvalidRequestError(`${messageField(index)}.content`, 'must be a string or an array of parts');
}
