import { type DynamicModule, Injectable, Module } from '@nestjs/common';
import { DeepSeekPoolService } from 'nestjs-deepseek-pool';
import { registerAlertGauges } from './alert-gauges.js';
import { MetricsSettings } from './metrics-settings.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { MetricsController } from './metrics.controller.js';
import { PrometheusPoolMetrics } from './prometheus-pool-metrics.js';
import { registerSnapshotGauges } from './snapshot-gauges.js';

/** Binds the per-key gauges and the alert rules' gauges to the pool once the pool exists. */
@Injectable()
class SnapshotGaugeBinding {
  constructor(metrics: PrometheusPoolMetrics, pool: DeepSeekPoolService) {
    registerSnapshotGauges(metrics.registry, () => pool.snapshot());
    registerAlertGauges(metrics.registry, () => pool.snapshot(), pool.events);
  }
}

/**
 * `GET /metrics` for a recorder that the caller also passes to the pool as its `metrics` option
 * (the pool module must be global, or imported where this module can see DeepSeekPoolService).
 */
@Module({})
export class PoolMetricsModule {
  static register(metrics: PrometheusPoolMetrics, settings: MetricsSettings): DynamicModule {
    return {
      module: PoolMetricsModule,
      controllers: [MetricsController],
      providers: [
        { provide: PrometheusPoolMetrics, useValue: metrics },
        { provide: MetricsSettings, useValue: settings },
        MetricsTokenGuard,
        SnapshotGaugeBinding,
      ],
    };
  }
}
