import type { Usage } from 'nestjs-deepseek-pool';

/** The token kinds metrics count; `completion` includes `reasoning` (as DeepSeek bills it). */
export type TokenKind = 'prompt_cache_hit' | 'prompt_cache_miss' | 'completion' | 'reasoning';

/** Splits an answer's usage by kind; an upstream without cache fields counts every prompt token as a miss. */
export function tokenCounts(usage: Usage): Record<TokenKind, number> {
  const hit = usage.prompt_cache_hit_tokens ?? 0;
  return {
    prompt_cache_hit: hit,
    prompt_cache_miss: usage.prompt_cache_miss_tokens ?? Math.max(0, usage.prompt_tokens - hit),
    completion: usage.completion_tokens,
    reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
