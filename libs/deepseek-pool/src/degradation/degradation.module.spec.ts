import { CACHE_MANAGER, type Cache, CacheModule } from '@nestjs/cache-manager';
import { Injectable, Module, type ModuleMetadata } from '@nestjs/common';
import type { ChatCompletionRequest } from '../chat.types.js';
import { DEEPSEEK_POOL_DEGRADER } from '../deepseek-pool.constants.js';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { poolApp } from '../pool-app.fixture.js';
import { DeepSeekPoolService } from '../deepseek-pool.service.js';
import { ScriptedTransport, completion } from '../testing/scripted-transport.js';
import { DeepSeekDegradationModule } from './degradation.module.js';
import type { DeepSeekDegradationOptions } from './degradation.options.js';
import { DeepSeekDegradationService } from './degradation.service.js';
import { defined } from '../defined.fixture.js';

const KEY = 'sk-module000000000000001';
const request: ChatCompletionRequest = {
  model: 'deepseek-v4-flash',
  messages: [{ role: 'user', content: 'hi' }],
  temperature: 0,
};

/** One good answer, then the key is down: the second call must come from the cache. */
async function servesFromCache(pool: DeepSeekPoolService): Promise<string | undefined> {
  await pool.chat(request, { degrade: true, tenant: 'alice' });
  const result = await pool.chat(request, { degrade: true, tenant: 'alice' });
  return result.meta.degraded;
}

const upThenDown = () =>
  new ScriptedTransport().script(KEY, { status: 200, body: completion('good') }, { status: 503, body: {} });

/** Compiles and initializes the app: a global pool with one key, up then down, and the modules under test on top. */
async function start(imports: ModuleMetadata['imports']) {
  const pool = {
    keys: [{ id: 'k', apiKey: KEY }],
    transport: upThenDown(),
    retry: { maxAttempts: 1, maxWaitForKeyMs: 0 },
    health: { validateOnStart: false },
    isGlobal: true,
  };
  return (await poolApp(pool, imports).compile()).init();
}

/** A feature module that injects the degradation service without importing its module. */
@Injectable()
class Consumer {
  constructor(readonly degradation: DeepSeekDegradationService) {}
}
@Module({ providers: [Consumer] })
class FeatureModule {}

@Injectable()
class OptionsFactory {
  createDeepSeekDegradationOptions(): DeepSeekDegradationOptions {
    return { logger: false, modelFallbacks: {} };
  }
}

describe('DeepSeekDegradationModule', () => {
  it('forRoot provides the pool its degrader, with an in-memory cache by default', async () => {
    const moduleRef = await start([DeepSeekDegradationModule.forRoot({ logger: false })]);
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    await moduleRef.close();
  });

  it('forRootAsync with imports, inject and useFactory: the cache of an app CacheModule', async () => {
    let appCache: Cache | undefined;
    const moduleRef = await start([
      DeepSeekDegradationModule.forRootAsync({
        imports: [CacheModule.register()],
        inject: [CACHE_MANAGER],
        useFactory: (cache: Cache) => {
          appCache = cache;
          return { cache, cacheKeyPrefix: 'app:', logger: false };
        },
      }),
    ]);
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    const keys: string[] = [];
    const [store] = defined(appCache, 'the app cache').stores;
    if (store.iterator === undefined) throw new Error('the cache store cannot list its keys');
    for await (const [key] of store.iterator(undefined)) keys.push(String(key));
    expect(keys).toEqual([expect.stringMatching(/^app:[0-9a-f]{64}$/)]);
    await moduleRef.close();
  });

  it('forRootAsync with useClass', async () => {
    const moduleRef = await start([DeepSeekDegradationModule.forRootAsync({ useClass: OptionsFactory })]);
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    await moduleRef.close();
  });

  it('isGlobal makes the service injectable in modules that do not import it', async () => {
    const moduleRef = await start([
      DeepSeekDegradationModule.forRoot({ logger: false, isGlobal: true }),
      FeatureModule,
    ]);
    expect(moduleRef.get(Consumer).degradation.breaker.state).toBe('closed');
    await moduleRef.close();
  });

  it("provides the pool the module's own service, and only the degrader token globally without isGlobal", async () => {
    const moduleRef = await start([DeepSeekDegradationModule.forRoot({ logger: false })]);

    expect(moduleRef.get(DEEPSEEK_POOL_DEGRADER, { strict: false })).toBe(moduleRef.get(DeepSeekDegradationService));
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    await moduleRef.close();
    await expect(start([DeepSeekDegradationModule.forRoot({ logger: false }), FeatureModule])).rejects.toThrow(
      /DeepSeekDegradationService/,
    );
  });

  it('stops the app at start on an invalid option, naming the field', async () => {
    const error = await start([DeepSeekDegradationModule.forRoot({ cacheTtlMs: -5 })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ field: 'cacheTtlMs' });
  });
});
