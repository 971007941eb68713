import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DeepSeekPoolModule, type DeepSeekPoolOptions } from 'nestjs-deepseek-pool';
import { AdminController } from './admin/admin.controller.js';
import { AdminTokenGuard } from './auth/admin-token.guard.js';
import { ClientTokenGuard } from './auth/client-token.guard.js';
import { ChatCompletionsController } from './chat/chat-completions.controller.js';
import { GatewaySettings } from './config/gateway-settings.js';
import { OpenAiErrorFilter } from './errors/openai-error.filter.js';
import { RequestLog } from './logging/request-log.js';
import { ModelsController } from './models/models.controller.js';

/** The sample gateway: an OpenAI-compatible endpoint in front of the pool. */
@Module({})
export class GatewayModule {
  static register(settings: GatewaySettings, pool: DeepSeekPoolOptions): DynamicModule {
    return {
      module: GatewayModule,
      imports: [DeepSeekPoolModule.forRoot(pool)],
      controllers: [ChatCompletionsController, ModelsController, AdminController],
      providers: [
        { provide: GatewaySettings, useValue: settings },
        { provide: APP_FILTER, useClass: OpenAiErrorFilter },
        ClientTokenGuard,
        AdminTokenGuard,
        RequestLog,
      ],
    };
  }
}
