import { Module } from '@nestjs/common';
import { DEEPSEEK_POOL_OPTIONS } from './deepseek-pool.constants.js';
import { DEEPSEEK_POOL_MODULE_OPTIONS, DeepSeekPoolConfigurableModule } from './deepseek-pool.module-definition.js';
import { type DeepSeekPoolOptions, resolveOptions } from './deepseek-pool.options.js';
import { DeepSeekPoolService } from './deepseek-pool.service.js';
import { DeepSeekPoolProber } from './health/probing/deepseek-pool.prober.js';

/**
 * `DeepSeekPoolModule.forRoot({ keys })`, `forRootAsync({ imports, inject, useFactory | useClass })`, `isGlobal`.
 * Options are validated while the app starts: a bad option stops it with an error naming the field.
 */
@Module({
  providers: [
    {
      provide: DEEPSEEK_POOL_OPTIONS,
      inject: [DEEPSEEK_POOL_MODULE_OPTIONS],
      useFactory: (options: DeepSeekPoolOptions) => resolveOptions(options),
    },
    DeepSeekPoolService,
    DeepSeekPoolProber,
  ],
  exports: [DeepSeekPoolService, DEEPSEEK_POOL_OPTIONS, DeepSeekPoolProber],
})
export class DeepSeekPoolModule extends DeepSeekPoolConfigurableModule {}
