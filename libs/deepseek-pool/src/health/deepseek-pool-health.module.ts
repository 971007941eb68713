import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DeepSeekPoolHealthIndicator } from './deepseek-pool.health.js';

/**
 * Import beside DeepSeekPoolModule to get DeepSeekPoolHealthIndicator (and terminus's HealthCheckService).
 * Kept out of the main entry point so `@nestjs/terminus` stays an optional peer: `import { ... } from
 * 'nestjs-deepseek-pool/health'`.
 */
@Module({
  imports: [TerminusModule],
  providers: [DeepSeekPoolHealthIndicator],
  exports: [DeepSeekPoolHealthIndicator, TerminusModule],
})
export class DeepSeekPoolHealthModule {}
