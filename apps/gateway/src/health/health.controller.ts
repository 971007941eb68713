import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DeepSeekPoolHealthIndicator } from 'nestjs-deepseek-pool/health';

/**
 * `/health/live` never looks upstream (an upstream outage must not restart the gateway's pods);
 * `/health/ready` follows the pool (up / degraded while at least one key can serve / down). No auth: orchestrators call it.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pool: DeepSeekPoolHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.pool.isHealthy('deepseek-pool', { minHealthyKeys: 1 })]);
  }
}
