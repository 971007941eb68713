import { randomUUID } from 'node:crypto';
import type { ChatCompletion, ChatCompletionRequest } from '../chat.types.js';

export const DEFAULT_FALLBACK_MESSAGE = 'System busy, please retry shortly';

/** `system_fingerprint` of a fallback answer: it never came from a model. */
export const FALLBACK_FINGERPRINT = 'deepseek-pool-fallback';

/**
 * The fallback as an assistant message (HTTP 200): a well-formed chat completion of the requested model, no tokens
 * used.
 */
export function fallbackCompletion(request: ChatCompletionRequest, message: string, nowMs: number): ChatCompletion {
  return {
    id: `fallback-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(nowMs / 1000),
    model: request.model,
    system_fingerprint: FALLBACK_FINGERPRINT,
    choices: [{ index: 0, message: { role: 'assistant', content: message }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/**
 * The fallback as an error (HTTP 503): the OpenAI error envelope, which SDK clients read and retry after Retry-After.
 */
export function fallbackErrorBody(message: string): {
  error: { message: string; type: string; param: null; code: string };
} {
  return { error: { message, type: 'service_unavailable', param: null, code: 'service_unavailable' } };
}
