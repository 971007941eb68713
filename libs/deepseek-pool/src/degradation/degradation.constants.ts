/** DI token of the validated degradation options. */
export const DEEPSEEK_DEGRADATION_OPTIONS = Symbol('DEEPSEEK_DEGRADATION_OPTIONS');

/** DI token of the in-memory cache-manager cache used when the options name no `cache`. */
export const DEFAULT_DEGRADATION_CACHE = Symbol('DEFAULT_DEGRADATION_CACHE');

/** Route metadata set by `@Degradable()`. */
export const DEGRADABLE_METADATA = 'deepseek-pool:degradable';

/** Response header naming the tier a degraded answer came from: `cache`, `model` or `fallback`. */
export const DEGRADED_HEADER = 'x-deepseek-pool-degraded';
