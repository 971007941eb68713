import { ConfigurableModuleBuilder, type ConfigurableModuleAsyncOptions } from '@nestjs/common';
import type { DeepSeekPoolOptions } from './deepseek-pool.options.js';

export const {
  ConfigurableModuleClass: DeepSeekPoolConfigurableModule,
  MODULE_OPTIONS_TOKEN: DEEPSEEK_POOL_MODULE_OPTIONS,
  OPTIONS_TYPE: DEEPSEEK_POOL_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DEEPSEEK_POOL_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DeepSeekPoolOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDeepSeekPoolOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/**
 * What `DeepSeekPoolModule.forRootAsync` takes: `imports`, `inject` and `useFactory` (or `useClass` / `useExisting`
 * with a `createDeepSeekPoolOptions()` method) returning DeepSeekPoolOptions, and `isGlobal` (default false).
 */
export type DeepSeekPoolAsyncOptions = ConfigurableModuleAsyncOptions<
  DeepSeekPoolOptions,
  'createDeepSeekPoolOptions'
> & { isGlobal?: boolean };
