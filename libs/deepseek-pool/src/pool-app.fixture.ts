import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { type PoolCore, createPoolCore } from './core/pool-core.js';
import { DeepSeekPoolModule } from './deepseek-pool.module.js';
import { type DeepSeekPoolOptions, type ResolvedPoolOptions, resolveOptions } from './deepseek-pool.options.js';
import type { KeyOptions } from './keys/key-config.js';

/** Test fixture: keys `a` and `b` with these secrets, nothing else set. */
export function twoKeys(a: string, b: string): KeyOptions[] {
  return [
    { id: 'a', apiKey: a },
    { id: 'b', apiKey: b },
  ];
}

/**
 * Test fixture: a Nest testing module of DeepSeekPoolModule (logger off) over the test's upstream (`transport`), with
 * the modules under test on top (health, degradation, ...). Override providers on the builder, then compile it.
 */
export function poolApp(options: DeepSeekPoolOptions, imports: ModuleMetadata['imports'] = []): TestingModuleBuilder {
  return Test.createTestingModule({
    imports: [DeepSeekPoolModule.forRoot({ logger: false, ...options }), ...imports],
  });
}

/** Test fixture: the pool's core without Nest (logger off), with its resolved options, for units built on the core. */
export function poolCore(options: DeepSeekPoolOptions): { core: PoolCore; options: ResolvedPoolOptions } {
  const resolved = resolveOptions({ logger: false, ...options });
  return { core: createPoolCore(resolved), options: resolved };
}
