import { Module } from '@nestjs/common';
import { createPoolCore } from './core/pool-core.js';
import { POOL_CORE } from './core/pool-core.token.js';
import { DeepSeekPoolAdmin } from './deepseek-pool.admin.js';
import { DEEPSEEK_POOL_OPTIONS } from './deepseek-pool.constants.js';
import { DEEPSEEK_POOL_MODULE_OPTIONS, DeepSeekPoolConfigurableModule } from './deepseek-pool.module-definition.js';
import { type DeepSeekPoolOptions, type ResolvedPoolOptions, resolveOptions } from './deepseek-pool.options.js';
import { DeepSeekPoolService } from './deepseek-pool.service.js';
import { DeepSeekPoolProber } from './health/probing/deepseek-pool.prober.js';

/**
 * `DeepSeekPoolModule.forRoot({ keys })`, `forRootAsync({ imports, inject, useFactory | useClass })`, `isGlobal`.
 * Provides DeepSeekPoolService (calls), DeepSeekPoolAdmin (key administration) and DeepSeekPoolProber.
 * Options are validated while the app starts: a bad option stops it with an error naming the field.
 */
@Module({
  providers: [
    {
      provide: DEEPSEEK_POOL_OPTIONS,
      inject: [DEEPSEEK_POOL_MODULE_OPTIONS],
      useFactory: (options: DeepSeekPoolOptions) => resolveOptions(options),
    },
    {
      provide: POOL_CORE,
      inject: [DEEPSEEK_POOL_OPTIONS],
      useFactory: (options: ResolvedPoolOptions) => createPoolCore(options),
    },
    DeepSeekPoolService,
    DeepSeekPoolAdmin,
    DeepSeekPoolProber,
  ],
  exports: [DeepSeekPoolService, DeepSeekPoolAdmin, DEEPSEEK_POOL_OPTIONS, POOL_CORE, DeepSeekPoolProber],
})
export class DeepSeekPoolModule extends DeepSeekPoolConfigurableModule {}
