import { ConfigurableModuleBuilder, type ConfigurableModuleAsyncOptions } from '@nestjs/common';
import type { DeepSeekDegradationOptions } from './degradation.options.js';

export const {
  ConfigurableModuleClass: DeepSeekDegradationConfigurableModule,
  MODULE_OPTIONS_TOKEN: DEEPSEEK_DEGRADATION_MODULE_OPTIONS,
  OPTIONS_TYPE: DEEPSEEK_DEGRADATION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DEEPSEEK_DEGRADATION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DeepSeekDegradationOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDeepSeekDegradationOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/**
 * What `DeepSeekDegradationModule.forRootAsync` takes: `imports`, `inject` and `useFactory` (or `useClass` /
 * `useExisting` with a `createDeepSeekDegradationOptions()` method) returning DeepSeekDegradationOptions, and
 * `isGlobal` (default false).
 */
export type DeepSeekDegradationAsyncOptions = ConfigurableModuleAsyncOptions<
  DeepSeekDegradationOptions,
  'createDeepSeekDegradationOptions'
> & { isGlobal?: boolean };
