// Entry point `nestjs-deepseek-pool/health`: the only files that import @nestjs/terminus (an optional peer).
export { DeepSeekPoolHealthModule } from './deepseek-pool-health.module.js';
export { DeepSeekPoolHealthIndicator, type PoolHealthOptions } from './deepseek-pool.health.js';
export type { PoolHealthStatus, PoolHealthDetails, KeyHealth } from './pool-health-status.js';
export { DeepSeekPoolHealthController } from './deepseek-pool-health.controller.js';
