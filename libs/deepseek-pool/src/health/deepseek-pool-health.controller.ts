import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DeepSeekPoolHealthIndicator } from './deepseek-pool.health.js';

/**
 * Ready-made health routes: `GET /health/live` never looks upstream (an upstream outage must not restart pods);
 * `GET /health/ready` follows the pool (up / degraded while at least one key can serve / down). Add it to a module's
 * `controllers` next to DeepSeekPoolHealthModule; write your own controller for other paths or thresholds.
 */
@Controller('health')
export class DeepSeekPoolHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pool: DeepSeekPoolHealthIndicator,
  ) {}

  /** `GET /health/live`: up while the process serves HTTP; never calls upstream. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** `GET /health/ready`: the pool's health (503 when no key can serve). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.pool.isHealthy('deepseek-pool', { minHealthyKeys: 1 })]);
  }
}
