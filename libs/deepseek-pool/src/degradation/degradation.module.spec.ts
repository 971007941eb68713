import { CACHE_MANAGER, type Cache, CacheModule } from '@nestjs/cache-manager';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ChatCompletionRequest } from '../chat.types.js';
import { DEEPSEEK_POOL_DEGRADER } from '../deepseek-pool.constants.js';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { DeepSeekPoolModule } from '../deepseek-pool.module.js';
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

function poolModule(transport: ScriptedTransport) {
  return DeepSeekPoolModule.forRoot({
    keys: [{ id: 'k', apiKey: KEY }],
    transport,
    logger: false,
    retry: { maxAttempts: 1, maxWaitForKeyMs: 0 },
    health: { validateOnStart: false },
    isGlobal: true,
  });
}

/** One good answer, then the key is down: the second call must come from the cache. */
async function servesFromCache(pool: DeepSeekPoolService): Promise<string | undefined> {
  await pool.chat(request, { degrade: true, tenant: 'alice' });
  const result = await pool.chat(request, { degrade: true, tenant: 'alice' });
  return result.meta.degraded;
}

/** Compiles and initializes the app. */
async function start(metadata: Parameters<typeof Test.createTestingModule>[0]) {
  return (await Test.createTestingModule(metadata).compile()).init();
}

const upThenDown = () =>
  new ScriptedTransport().script(KEY, { status: 200, body: completion('good') }, { status: 503, body: {} });

@Injectable()
class OptionsFactory {
  createDeepSeekDegradationOptions(): DeepSeekDegradationOptions {
    return { logger: false, modelFallbacks: {} };
  }
}

describe('DeepSeekDegradationModule', () => {
  it('forRoot provides the pool its degrader, with an in-memory cache by default', async () => {
    const moduleRef = await start({
      imports: [poolModule(upThenDown()), DeepSeekDegradationModule.forRoot({ logger: false })],
    });
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    await moduleRef.close();
  });

  it('forRootAsync with imports, inject and useFactory: the cache of an app CacheModule', async () => {
    let appCache: Cache | undefined;
    const moduleRef = await start({
      imports: [
        poolModule(upThenDown()),
        DeepSeekDegradationModule.forRootAsync({
          imports: [CacheModule.register()],
          inject: [CACHE_MANAGER],
          useFactory: (cache: Cache) => {
            appCache = cache;
            return { cache, cacheKeyPrefix: 'app:', logger: false };
          },
        }),
      ],
    });
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    const keys: string[] = [];
    const [store] = defined(appCache, 'the app cache').stores;
    if (store.iterator === undefined) throw new Error('the cache store cannot list its keys');
    for await (const [key] of store.iterator(undefined)) keys.push(String(key));
    expect(keys).toEqual([expect.stringMatching(/^app:[0-9a-f]{64}$/)]);
    await moduleRef.close();
  });

  it('forRootAsync with useClass', async () => {
    const moduleRef = await start({
      imports: [poolModule(upThenDown()), DeepSeekDegradationModule.forRootAsync({ useClass: OptionsFactory })],
    });
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    await moduleRef.close();
  });

  it('isGlobal makes the service injectable in modules that do not import it', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly degradation: DeepSeekDegradationService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const moduleRef = await start({
      imports: [
        poolModule(upThenDown()),
        DeepSeekDegradationModule.forRoot({ logger: false, isGlobal: true }),
        FeatureModule,
      ],
    });
    expect(moduleRef.get(Consumer).degradation.breaker.state).toBe('closed');
    await moduleRef.close();
  });

  it("provides the pool the module's own service, and only the degrader token globally without isGlobal", async () => {
    @Injectable()
    class Consumer {
      constructor(readonly degradation: DeepSeekDegradationService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const moduleRef = await start({
      imports: [poolModule(upThenDown()), DeepSeekDegradationModule.forRoot({ logger: false })],
    });

    expect(moduleRef.get(DEEPSEEK_POOL_DEGRADER, { strict: false })).toBe(moduleRef.get(DeepSeekDegradationService));
    await expect(servesFromCache(moduleRef.get(DeepSeekPoolService))).resolves.toBe('cache');
    await moduleRef.close();
    await expect(
      start({
        imports: [poolModule(upThenDown()), DeepSeekDegradationModule.forRoot({ logger: false }), FeatureModule],
      }),
    ).rejects.toThrow(/DeepSeekDegradationService/);
  });

  it('stops the app at start on an invalid option, naming the field', async () => {
    const error = await start({
      imports: [poolModule(upThenDown()), DeepSeekDegradationModule.forRoot({ cacheTtlMs: -5 })],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ field: 'cacheTtlMs' });
  });
});
