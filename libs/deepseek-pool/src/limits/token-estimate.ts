import type { ChatCompletionRequest } from '../chat.types.js';

/** How tokens are estimated before a call (the usage the upstream returns corrects the estimate after it). */
export interface TokenEstimateOptions {
  /** Characters of prompt text per token. Default 4. */
  charsPerToken: number;
  /** Completion tokens assumed when the request sets no `max_tokens`. Default 1 024. */
  completionTokens: number;
}

/** Prompt characters / `charsPerToken` (rounded up) plus `max_tokens` (or the default). O(size of the messages). */
export function estimateTokens(request: ChatCompletionRequest, options: TokenEstimateOptions): number {
  const maxTokens = request.max_tokens ?? request.max_completion_tokens;
  const completion = typeof maxTokens === 'number' && maxTokens > 0 ? maxTokens : options.completionTokens;
  return estimatePromptTokens(request, options.charsPerToken) + completion;
}

/** Prompt characters / `charsPerToken`, rounded up. */
export function estimatePromptTokens(request: ChatCompletionRequest, charsPerToken: number): number {
  let chars = 0;
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (content !== null && content !== undefined) chars += JSON.stringify(content).length;
  }
  return Math.ceil(chars / charsPerToken);
}
