/** DI token of the pool core (internal: DeepSeekPoolModule provides it; not exported from the package). */
export const POOL_CORE = Symbol('DEEPSEEK_POOL_CORE');
