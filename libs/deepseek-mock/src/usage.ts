import type { Pricing } from './types.js';

/** DeepSeek's `usage` object. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  prompt_cache_hit_tokens: number;
  prompt_cache_miss_tokens: number;
  completion_tokens_details?: { reasoning_tokens: number };
}

/** Flash peak prices in USD per million tokens (docs/deepseek-api.md). */
export const DEFAULT_PRICING: Pricing = { cacheHitPerM: 0.006, inputPerM: 0.3, outputPerM: 1.2 };

/** The mock's tokenizer: one token per 4 characters, rounded up. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Usage of one answer. `promptTokens` holds each message's tokens; the first `cachedMessages` of them are
 * cache hits. Reasoning tokens are part of the completion tokens.
 */
export function buildUsage(
  promptTokens: readonly number[],
  cachedMessages: number,
  contentTokens: number,
  reasoningTokens?: number,
): Usage {
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const hit = sum(promptTokens.slice(0, cachedMessages));
  const prompt = sum(promptTokens);
  const completion = contentTokens + (reasoningTokens ?? 0);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: hit },
    prompt_cache_hit_tokens: hit,
    prompt_cache_miss_tokens: prompt - hit,
  };
  if (reasoningTokens !== undefined) usage.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  return usage;
}

/** Price of an answer. */
export function costOf(usage: Usage, pricing: Pricing): number {
  return (
    (usage.prompt_cache_hit_tokens * pricing.cacheHitPerM +
      usage.prompt_cache_miss_tokens * pricing.inputPerM +
      usage.completion_tokens * pricing.outputPerM) /
    1_000_000
  );
}
