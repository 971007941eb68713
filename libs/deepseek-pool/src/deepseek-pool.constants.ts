/** DI token of the validated pool options. */
export const DEEPSEEK_POOL_OPTIONS = Symbol('DEEPSEEK_POOL_OPTIONS');
