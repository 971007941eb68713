// Entry point `nestjs-deepseek-pool/redis`: the only files whose types need ioredis (an optional peer).
export { RedisStateStore } from './state/redis-state-store.js';
export type { RedisStateStoreOptions, AccountConcurrencyMode } from './state/redis-store-options.js';
