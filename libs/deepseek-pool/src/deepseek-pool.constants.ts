/** DI token of the validated pool options. */
export const DEEPSEEK_POOL_OPTIONS = Symbol('DEEPSEEK_POOL_OPTIONS');

/**
 * DI token of the degradation layer the pool calls for `{ degrade: true }` (a ChatDegrader); DeepSeekDegradationModule
 * provides it. Optional: without it, a degradable call throws DeepSeekPoolError `NO_DEGRADER`.
 */
export const DEEPSEEK_POOL_DEGRADER = Symbol('DEEPSEEK_POOL_DEGRADER');
