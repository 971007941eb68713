import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InvalidOptionsError } from './deepseek-pool.errors.js';
import { DeepSeekPoolModule } from './deepseek-pool.module.js';
import type { DeepSeekPoolOptions } from './deepseek-pool.options.js';
import { DeepSeekPoolService } from './deepseek-pool.service.js';
import { ScriptedTransport, completion } from './testing/scripted-transport.js';

const KEY = 'sk-module000000000000001';
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };

@Injectable()
class PoolOptionsFactory {
  readonly transport = new ScriptedTransport().script(KEY, { status: 200, body: completion('from useClass') });
  createDeepSeekPoolOptions(): DeepSeekPoolOptions {
    return { keys: [{ id: 'from-class', apiKey: KEY }], transport: this.transport, logger: false };
  }
}

@Module({ providers: [{ provide: 'KEYS', useValue: KEY }], exports: ['KEYS'] })
class ConfigModule {}

describe('DeepSeekPoolModule', () => {
  it('forRoot provides a working DeepSeekPoolService', async () => {
    const transport = new ScriptedTransport().script(KEY, { status: 200, body: completion('from forRoot') });
    const moduleRef = await Test.createTestingModule({
      imports: [DeepSeekPoolModule.forRoot({ keys: [{ id: 'root', apiKey: KEY }], transport, logger: false })],
    }).compile();
    const result = await moduleRef.get(DeepSeekPoolService).chat(request);
    expect(result.data.choices[0].message.content).toBe('from forRoot');
    await moduleRef.close();
  });

  it('forRootAsync with imports, inject and useFactory', async () => {
    const transport = new ScriptedTransport().script(KEY, { status: 200, body: completion('from useFactory') });
    const moduleRef = await Test.createTestingModule({
      imports: [
        DeepSeekPoolModule.forRootAsync({
          imports: [ConfigModule],
          inject: ['KEYS'],
          useFactory: (keys: string) => ({ keys, transport, logger: false }),
        }),
      ],
    }).compile();
    const result = await moduleRef.get(DeepSeekPoolService).chat(request);
    expect(result.data.choices[0].message.content).toBe('from useFactory');
    await moduleRef.close();
  });

  it('forRootAsync with useClass', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DeepSeekPoolModule.forRootAsync({ useClass: PoolOptionsFactory })],
    }).compile();
    const result = await moduleRef.get(DeepSeekPoolService).chat(request);
    expect(result.meta.keyId).toBe('from-class');
    await moduleRef.close();
  });

  it('isGlobal makes the service injectable in modules that do not import it', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly pool: DeepSeekPoolService) {}
    }
    @Module({ providers: [Consumer], exports: [Consumer] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [DeepSeekPoolModule.forRoot({ keys: KEY, isGlobal: true, logger: false }), FeatureModule],
    }).compile();
    expect(moduleRef.get(Consumer).pool).toBeInstanceOf(DeepSeekPoolService);
    await moduleRef.close();
  });

  it('stops the app at start on a bad option, naming the field and not the secret', async () => {
    const start = Test.createTestingModule({
      imports: [DeepSeekPoolModule.forRoot({ keys: [{ apiKey: KEY, weight: 0 }], logger: false })],
    }).compile();
    await expect(start).rejects.toThrow(InvalidOptionsError);
    await expect(start).rejects.toThrow(/keys\[0\]\.weight/);
    await expect(start).rejects.not.toThrow(KEY);
  });
});
