import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import {
  DeepSeekDegradationModule,
  DeepSeekPoolModule,
  type DeepSeekPoolOptions,
  type Redactor,
} from 'nestjs-deepseek-pool';
import { DeepSeekPoolHealthController, DeepSeekPoolHealthModule } from 'nestjs-deepseek-pool/health';
import { AdminController } from './admin/admin.controller.js';
import { AdminTokenGuard } from './auth/admin-token.guard.js';
import { ClientTokenGuard } from './auth/client-token.guard.js';
import { ChatCompletionsController } from './chat/chat-completions.controller.js';
import { AdminClientsController } from './clients/admin-clients.controller.js';
import { NO_CLIENTS } from './clients/clients-config.js';
import { ClientsModule } from './clients/clients.module.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { gatewayConfigModule, gatewayConfigOf } from './config/gateway-config.module.js';
import { GatewaySettings } from './config/gateway-settings.js';
import { OpenAiErrorFilter } from './errors/openai-error.filter.js';
import { BODY_LIMIT, JsonBodyGuard } from './http/json-body.guard.js';
import { RequestLog } from './logging/request-log.js';
import { MetricsSettings } from './metrics/metrics-settings.js';
import { PoolMetricsModule } from './metrics/pool-metrics.module.js';
import { PrometheusPoolMetrics } from './metrics/prometheus-pool-metrics.js';
import { ModelsController } from './models/models.controller.js';
import { RedisSharedState } from './replica-state/redis-shared-state.js';
import { StatusModule } from './status/status.module.js';
import { OtelShutdown } from './telemetry/otel-shutdown.js';

/** What the gateway's process adds to its configuration: the shared redactor, the demo's keys, the Redis state. */
export interface GatewayRuntime {
  redactor: Redactor;
  /** Keys of the embedded mock (demo mode, where the configuration has none). */
  demoKeys?: DeepSeekPoolOptions['keys'];
  /** REDIS_URL: the pool's state store and the degradation cache. */
  shared?: RedisSharedState;
}

/** The sample gateway: an OpenAI-compatible endpoint in front of the pool. */
@Module({})
export class GatewayModule {
  /**
   * `config` is held by ConfigModule; the pool and the degradation tiers are built from it by their `forRootAsync`
   * factories. Whether degradation is on is known here, as the module list depends on it.
   */
  static register(config: GatewayConfig, runtime: GatewayRuntime): DynamicModule {
    const settings = GatewaySettings.from(config);
    const metricsSettings = config.metrics ?? new MetricsSettings();
    const metrics = new PrometheusPoolMetrics({ prices: metricsSettings.prices });
    return {
      module: GatewayModule,
      imports: [
        gatewayConfigModule(config),
        DeepSeekPoolModule.forRootAsync({
          isGlobal: true,
          inject: [ConfigService],
          useFactory: (configService: ConfigService) => {
            const { pool } = gatewayConfigOf(configService);
            return {
              ...pool,
              keys: pool.keys ?? runtime.demoKeys ?? [],
              redactor: runtime.redactor,
              metrics,
              ...(runtime.shared ? { store: runtime.shared.store } : {}),
            };
          },
        }),
        ...(settings.degradation
          ? [
              DeepSeekDegradationModule.forRootAsync({
                inject: [ConfigService],
                useFactory: (configService: ConfigService) => ({
                  ...gatewayConfigOf(configService).degradation,
                  ...(runtime.shared ? { cache: runtime.shared.cache } : {}),
                }),
              }),
            ]
          : []),
        DeepSeekPoolHealthModule,
        PoolMetricsModule.register(metrics, metricsSettings),
        StatusModule.register(settings),
        ClientsModule.register(config.clients ?? NO_CLIENTS, metricsSettings.prices, metrics.registry),
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
        ...(runtime.shared ? [{ provide: RedisSharedState, useValue: runtime.shared }] : []),
        ClientTokenGuard,
        AdminTokenGuard,
        { provide: BODY_LIMIT, useValue: config.bodyLimit },
        JsonBodyGuard,
        RequestLog,
        OtelShutdown,
      ],
    };
  }
}
