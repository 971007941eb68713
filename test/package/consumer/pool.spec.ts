// A user's unit test with the setup they already have: Jest globals, a TestingModule, the pool against the mock.
// The consumer app (test/package/consumers.sh) runs it with Jest + ts-jest in CommonJS, as `nest new` 11 sets up.
import { Test, type TestingModule } from '@nestjs/testing';
import { DeepSeekPoolModule, DeepSeekPoolService } from 'nestjs-deepseek-pool';
import { DeepSeekMock } from 'nestjs-deepseek-pool-mock';

describe('DeepSeekPoolService in a TestingModule', () => {
  let mock: DeepSeekMock;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    mock = new DeepSeekMock({
      keys: [{ key: 'sk-spec-revoked-00000000001', status: 401 }, { key: 'sk-spec-good-000000000002' }],
    });
    await mock.start();
    moduleRef = await Test.createTestingModule({
      imports: [
        DeepSeekPoolModule.forRoot({
          keys: 'sk-spec-revoked-00000000001,sk-spec-good-000000000002',
          defaultBaseUrl: mock.url,
          logger: false,
          health: { probe: false },
        }),
      ],
    }).compile();
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef.close();
    await mock.close();
  });

  it('answers from the good key, the revoked one disabled at start', async () => {
    const pool = moduleRef.get(DeepSeekPoolService);
    const { data, meta } = await pool.chat({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'Hi' }] });
    expect(data.choices[0].message.content).toMatch(/^Mock answer from /);
    expect(meta.keyId).toBe('key-2');
    expect(pool.snapshot().keys.map((key) => key.state)).toEqual(['disabled', 'ready']);
  });
});
