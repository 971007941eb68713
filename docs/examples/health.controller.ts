// docs/examples/health.controller.ts
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DeepSeekPoolHealthIndicator } from 'nestjs-deepseek-pool/health';

@Controller('status')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pool: DeepSeekPoolHealthIndicator,
  ) {}

  /** 200 while at least 2 keys serve (terminus 12: `degraded` while some are out), 503 below. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.pool.isHealthy('deepseek-pool', { minHealthyKeys: 2 })]);
  }
}
