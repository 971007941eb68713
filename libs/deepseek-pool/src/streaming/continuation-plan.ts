import type { ChatCompletionRequest, ChatMessage, Usage } from '../chat.types.js';
import { estimatePromptTokens } from '../limits/token-estimate.js';
import type { Outcome } from '../resilience/outcome.js';
import type { ContinuationMode } from '../keys/continuation-mode.js';
import type { NotContinuedReason } from '../deepseek-pool.errors.js';

/** What the caller has received of a stream so far: complete events only, byte for byte. */
export interface Received {
  content: string;
  reasoning: string;
  /** A tool-call delta was passed on (a half tool call cannot be continued safely). */
  toolCalls: boolean;
  /** A `finish_reason` was passed on: the answer is whole, only the end of the stream is missing. */
  finished: boolean;
}

export interface ContinuationInput {
  request: ChatCompletionRequest;
  received: Received;
  /** What broke the stream. */
  outcome: Outcome;
  /** Continuation on for this pool and this call. */
  enabled: boolean;
  callerAborted: boolean;
  /** Continuations this stream already had, and the most allowed. */
  done: number;
  maxAttempts: number;
  /** Time left before the call's deadline. */
  remainingMs: number;
}

/**
 * Decides what a stream that broke after content does: `continue` on another key, `complete` (the answer was whole:
 * its finish_reason reached the caller, only `[DONE]` is missing) or a reason to end with StreamInterruptedError.
 * The order matters: a caller that left is never continued, whatever else holds.
 */
export function planContinuation(input: ContinuationInput): 'continue' | 'complete' | NotContinuedReason {
  const { request, received } = input;
  if (input.callerAborted || input.outcome.kind === 'aborted') return 'aborted';
  if (!input.enabled) return 'disabled';
  if (received.finished) return 'complete';
  if (typeof request.n === 'number' && request.n > 1) return 'n';
  if (request.logprobs === true || request.top_logprobs !== undefined) return 'logprobs';
  if (received.toolCalls) return 'tool-calls';
  if (input.done >= input.maxAttempts) return 'max-continuations';
  if (input.remainingMs <= 0) return 'deadline';
  return 'continue';
}

/** A key's continuation settings, as `keys[]` options resolve them. */
export interface ContinuationCapability {
  continuation: ContinuationMode | false;
  /** Upstream model names whose reasoning (`reasoning_content`) this key can continue (deepseek-prefix only). */
  reasoningPrefixModels: ReadonlySet<string>;
}

/**
 * Whether a key can continue this stream: it has a continuation mode, and reasoning is continued only where the model
 * supports it.
 */
export function canContinue(key: ContinuationCapability, upstreamModel: string, received: Received): boolean {
  if (key.continuation === false) return false;
  if (received.reasoning === '') return true;
  return key.continuation === 'deepseek-prefix' && key.reasoningPrefixModels.has(upstreamModel);
}

/**
 * Where a mode sends its continuation: DeepSeek's beta base URL (`…/v1` and `…/beta` map to `…/beta`), else the key's
 * own.
 */
export function continuationBaseUrl(baseUrl: string, mode: ContinuationMode): string {
  if (mode !== 'deepseek-prefix') return baseUrl;
  return `${baseUrl.replace(/\/(v1|beta)$/, '')}/beta`;
}

/**
 * The request that continues `received`: the caller's request plus the answer so far as the last assistant message
 * (merged into the caller's own prefix message if it sent one), with only the tokens left of the caller's budget.
 */
export function continuationRequest(
  request: ChatCompletionRequest,
  received: Received,
  mode: ContinuationMode,
  charsPerToken: number,
): ChatCompletionRequest {
  const last = request.messages.at(-1);
  const ownPrefix =
    last?.role === 'assistant' && (last.prefix === true || request.continue_final_message === true) ? last : undefined;
  const before = ownPrefix && typeof ownPrefix.content === 'string' ? ownPrefix.content : '';
  const messages = ownPrefix ? request.messages.slice(0, -1) : request.messages;
  const partial: ChatMessage = { role: 'assistant', content: before + received.content };
  if (mode === 'deepseek-prefix') {
    partial.prefix = true;
    if (received.reasoning !== '') partial.reasoning_content = received.reasoning;
  }
  const body: ChatCompletionRequest = { ...request, messages: [...messages, partial] };
  if (mode === 'continue-final-message') {
    body.continue_final_message = true;
    body.add_generation_prompt = false;
  }
  const spent = tokensOf(received.content, charsPerToken) + tokensOf(received.reasoning, charsPerToken);
  for (const field of ['max_tokens', 'max_completion_tokens'] as const) {
    const budget = request[field];
    if (typeof budget === 'number') body[field] = Math.max(1, budget - spent);
  }
  return body;
}

/**
 * What a call that broke cost, as far as the pool can tell: the upstream reports usage only at the end, so the call
 * is counted with the token estimate (`tokenEstimate.charsPerToken`) of the prompt it was sent and of the text it
 * produced before the break (all prompt tokens as cache misses).
 */
export function brokenCallUsage(
  sent: ChatCompletionRequest,
  produced: { content: string; reasoning: string },
  charsPerToken: number,
): Usage {
  const prompt = estimatePromptTokens(sent, charsPerToken);
  const reasoning = tokensOf(produced.reasoning, charsPerToken);
  const completion = tokensOf(produced.content, charsPerToken) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_cache_hit_tokens: 0,
    prompt_cache_miss_tokens: prompt,
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

function tokensOf(text: string, charsPerToken: number): number {
  return Math.ceil(text.length / charsPerToken);
}
