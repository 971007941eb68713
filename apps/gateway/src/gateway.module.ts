import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DeepSeekDegradationModule, DeepSeekPoolModule, type DeepSeekPoolOptions } from 'nestjs-deepseek-pool';
import { DeepSeekPoolHealthController, DeepSeekPoolHealthModule } from 'nestjs-deepseek-pool/health';
import { AdminController } from './admin/admin.controller.js';
import { AdminTokenGuard } from './auth/admin-token.guard.js';
import { ClientTokenGuard } from './auth/client-token.guard.js';
import { ChatCompletionsController } from './chat/chat-completions.controller.js';
import { AdminClientsController } from './clients/admin-clients.controller.js';
import { type ClientsConfig, NO_CLIENTS } from './clients/clients-config.js';
import { ClientsModule } from './clients/clients.module.js';
import { GatewaySettings } from './config/gateway-settings.js';
import { OpenAiErrorFilter } from './errors/openai-error.filter.js';
import { RequestLog } from './logging/request-log.js';
import { MetricsSettings } from './metrics/metrics-settings.js';
import { PoolMetricsModule } from './metrics/pool-metrics.module.js';
import { PrometheusPoolMetrics } from './metrics/prometheus-pool-metrics.js';
import { ModelsController } from './models/models.controller.js';
import { StatusModule } from './status/status.module.js';
import { OtelShutdown } from './telemetry/otel-shutdown.js';

/** The sample gateway: an OpenAI-compatible endpoint in front of the pool. */
@Module({})
export class GatewayModule {
  /** `metricsSettings` defaults to GATEWAY_METRICS_TOKEN / GATEWAY_PRICES from the environment. */
  static register(
    settings: GatewaySettings,
    pool: DeepSeekPoolOptions,
    metricsSettings: MetricsSettings = MetricsSettings.fromEnv(),
    clients: ClientsConfig = NO_CLIENTS,
  ): DynamicModule {
    const metrics = new PrometheusPoolMetrics({ prices: metricsSettings.prices });
    return {
      module: GatewayModule,
      imports: [
        DeepSeekPoolModule.forRoot({ ...pool, metrics, isGlobal: true }),
        ...(settings.degradation ? [DeepSeekDegradationModule.forRoot(settings.degradation)] : []),
        DeepSeekPoolHealthModule,
        PoolMetricsModule.register(metrics, metricsSettings),
        StatusModule.register(settings),
        ClientsModule.register(clients, metricsSettings.prices, metrics.registry),
      ],
      controllers: [
        ChatCompletionsController,
        ModelsController,
        AdminController,
        AdminClientsController,
        DeepSeekPoolHealthController,
      ],
      providers: [
        { provide: GatewaySettings, useValue: settings },
        { provide: APP_FILTER, useClass: OpenAiErrorFilter },
        ClientTokenGuard,
        AdminTokenGuard,
        RequestLog,
        OtelShutdown,
      ],
    };
  }
}
