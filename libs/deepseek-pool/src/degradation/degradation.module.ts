import { type DynamicModule, Module } from '@nestjs/common';
import { DEEPSEEK_POOL_DEGRADER, DEEPSEEK_POOL_OPTIONS } from '../deepseek-pool.constants.js';
import { MissingPeerError } from '../deepseek-pool.errors.js';
import type { ResolvedPoolOptions } from '../deepseek-pool.options.js';
import { DEEPSEEK_DEGRADATION_OPTIONS, DEFAULT_DEGRADATION_CACHE } from './degradation.constants.js';
import {
  type DeepSeekDegradationAsyncOptions,
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
 * Holds the degradation service and provides it as DEEPSEEK_POOL_DEGRADER, and only that, globally: the pool sees
 * its degrader wherever DeepSeekPoolModule is imported, while DeepSeekDegradationService stays scoped by `isGlobal`.
 */
@Module({})
class DegraderModule {}

/**
 * `DeepSeekDegradationModule.forRoot({...})` / `forRootAsync({ imports, inject, useFactory | useClass })`, `isGlobal`.
 * Needs DeepSeekPoolModule in scope (global, or in `imports`). Provides the pool's degrader, so
 * `pool.chat(request, { degrade: true })` and `pool.stream(request, { degrade: true })` work;
 * `DeepSeekDegradationInterceptor` uses the same service.
 * @nestjs/cache-manager is loaded only when this module is used (it is an optional peer of the pool).
 */
@Module({})
export class DeepSeekDegradationModule extends DeepSeekDegradationConfigurableModule {
  /** Registers the degradation layer with static options; throws InvalidOptionsError for an invalid option at start. */
  static override forRoot(options: typeof DEEPSEEK_DEGRADATION_OPTIONS_TYPE): DynamicModule {
    return withDegrader(super.forRoot(options));
  }

  /** Registers the degradation layer with options from a factory or class; validated at start like `forRoot`. */
  static override forRootAsync(options: DeepSeekDegradationAsyncOptions): DynamicModule {
    return withDegrader(super.forRootAsync(options));
  }
}

/**
 * The module `forRoot` / `forRootAsync` built, its providers (options, service) moved into the global
 * DegraderModule; the module itself re-exports the service under its class.
 */
function withDegrader(definition: DynamicModule): DynamicModule {
  const degrader: DynamicModule = {
    module: DegraderModule,
    global: true,
    imports: [...(definition.imports ?? []), defaultCacheModule()],
    providers: [
      ...(definition.providers ?? []),
      {
        provide: DEEPSEEK_DEGRADATION_OPTIONS,
        inject: [DEEPSEEK_DEGRADATION_MODULE_OPTIONS, DEEPSEEK_POOL_OPTIONS],
        useFactory: (options: DeepSeekDegradationOptions, pool: ResolvedPoolOptions) =>
          resolveDegradationOptions(options, pool),
      },
      DeepSeekDegradationService,
      { provide: DEEPSEEK_POOL_DEGRADER, useExisting: DeepSeekDegradationService },
    ],
    exports: [DEEPSEEK_POOL_DEGRADER],
  };
  return {
    module: definition.module,
    global: definition.global,
    imports: [degrader],
    providers: [{ provide: DeepSeekDegradationService, useExisting: DEEPSEEK_POOL_DEGRADER }],
    exports: [DeepSeekDegradationService],
  };
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
