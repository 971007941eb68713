import { type DynamicModule, Module } from '@nestjs/common';
import { DEEPSEEK_POOL_OPTIONS } from '../deepseek-pool.constants.js';
import { MissingPeerError } from '../deepseek-pool.errors.js';
import type { ResolvedPoolOptions } from '../deepseek-pool.options.js';
import { DEEPSEEK_DEGRADATION_OPTIONS, DEFAULT_DEGRADATION_CACHE } from './degradation.constants.js';
import {
  DEEPSEEK_DEGRADATION_ASYNC_OPTIONS_TYPE,
  DEEPSEEK_DEGRADATION_MODULE_OPTIONS,
  DEEPSEEK_DEGRADATION_OPTIONS_TYPE,
  DeepSeekDegradationConfigurableModule,
} from './degradation.module-definition.js';
import { type DeepSeekDegradationOptions, resolveDegradationOptions } from './degradation.options.js';
import { DeepSeekDegradationService } from './degradation.service.js';

/** Holds the default in-memory cache (CacheModule of @nestjs/cache-manager). */
@Module({})
class DegradationCacheModule {}

/**
 * `DeepSeekDegradationModule.forRoot({...})` / `forRootAsync({ imports, inject, useFactory | useClass })`, `isGlobal`.
 * Needs DeepSeekPoolService in scope (pool module global, or in `imports`). Registers the degrader on the pool at
 * init, so `pool.chat(request, { degrade: true })` works; `DeepSeekDegradationInterceptor` uses the same service.
 * @nestjs/cache-manager is loaded only when this module is used (it is an optional peer of the pool).
 */
@Module({
  providers: [
    {
      provide: DEEPSEEK_DEGRADATION_OPTIONS,
      inject: [DEEPSEEK_DEGRADATION_MODULE_OPTIONS, DEEPSEEK_POOL_OPTIONS],
      useFactory: (options: DeepSeekDegradationOptions, pool: ResolvedPoolOptions) =>
        resolveDegradationOptions(options, pool),
    },
    DeepSeekDegradationService,
  ],
  exports: [DeepSeekDegradationService],
})
export class DeepSeekDegradationModule extends DeepSeekDegradationConfigurableModule {
  static override forRoot(options: typeof DEEPSEEK_DEGRADATION_OPTIONS_TYPE): DynamicModule {
    return withDefaultCache(super.forRoot(options));
  }

  static override forRootAsync(options: typeof DEEPSEEK_DEGRADATION_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withDefaultCache(super.forRootAsync(options));
  }
}

function withDefaultCache(module: DynamicModule): DynamicModule {
  return { ...module, imports: [...(module.imports ?? []), defaultCacheModule()] };
}

async function defaultCacheModule(): Promise<DynamicModule> {
  const { CacheModule, CACHE_MANAGER } = await import('@nestjs/cache-manager').catch((error: unknown) => {
    throw new MissingPeerError('DeepSeekDegradationModule', ['@nestjs/cache-manager', 'cache-manager'], error);
  });
  return {
    module: DegradationCacheModule,
    imports: [CacheModule.register()],
    providers: [{ provide: DEFAULT_DEGRADATION_CACHE, useExisting: CACHE_MANAGER }],
    exports: [DEFAULT_DEGRADATION_CACHE],
  };
}
