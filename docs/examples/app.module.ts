// docs/examples/app.module.ts
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { DeepSeekPoolModule } from 'nestjs-deepseek-pool';
import { DeepSeekPoolHealthModule } from 'nestjs-deepseek-pool/health'; // needs @nestjs/terminus
import { ChatController } from './chat.controller.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot(),
    DeepSeekPoolModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        keys: config.getOrThrow<string>('DEEPSEEK_API_KEYS'), // "sk-a,sk-b,sk-c"
        defaultBaseUrl: config.get<string>('DEEPSEEK_BASE_URL'), // unset: https://api.deepseek.com
      }),
    }),
    DeepSeekPoolHealthModule, // the indicator, and TerminusModule's HealthCheckService
  ],
  controllers: [ChatController, HealthController],
})
export class AppModule {}
