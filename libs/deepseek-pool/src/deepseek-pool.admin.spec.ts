import { mulberry32 } from 'nestjs-deepseek-pool-mock';
import { InvalidOptionsError } from './deepseek-pool.errors.js';
import { createDeepSeekPool } from './create-deepseek-pool.js';
import type { DeepSeekPoolAdmin } from './deepseek-pool.admin.js';
import type { DeepSeekPoolService } from './deepseek-pool.service.js';
import { ScriptedTransport, completion } from './testing/scripted-transport.js';
import { bytesOf } from './transport/byte-stream.fixture.js';

const OLD = 'sk-oldsecret00000000001';
const NEW = 'sk-newsecret00000000002';
const OTHER = 'sk-othersecret000000003';
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };

describe('DeepSeekPoolAdmin', () => {
  let transport: ScriptedTransport;
  let pool: DeepSeekPoolService;
  let admin: DeepSeekPoolAdmin;
  let close: () => Promise<void>;

  beforeEach(() => {
    transport = new ScriptedTransport()
      .script(OLD, { status: 401, body: { error: { message: 'invalid' } } })
      .script(NEW, { status: 200, body: completion() })
      .script(OTHER, { status: 200, body: completion() });
    ({ pool, admin, close } = createDeepSeekPool({
      keys: [{ id: 'main', apiKey: OLD }],
      transport,
      logger: false,
      rng: mulberry32(1),
      retry: { maxWaitForKeyMs: 0 },
    }));
  });

  afterEach(() => close());

  it('rotates a revoked key without restart: same id, new secret, back in rotation', async () => {
    await pool.chat(request).catch(() => undefined);
    expect(pool.snapshot().keys[0].state).toBe('disabled');
    const replaced = admin.replaceKey('main', NEW);
    expect(replaced).toMatchObject({ id: 'main', maskedKey: 'sk-...0002', state: 'ready' });
    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'main' } });
  });

  it('adds a key at run time and refuses a duplicate secret', async () => {
    admin.addKey({ id: 'extra', apiKey: OTHER });
    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'extra' } });
    expect(() => admin.addKey({ id: 'again', apiKey: OTHER })).toThrow(InvalidOptionsError);
  });

  it('takes a key out by hand and puts it back', async () => {
    admin.addKey({ id: 'extra', apiKey: OTHER });
    admin.disableKey('extra');
    expect(pool.snapshot().keys.find((k) => k.id === 'extra')).toMatchObject({
      state: 'disabled',
      disabledReason: 'manual',
    });
    admin.enableKey('extra');
    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'extra' } });
  });

  it('drains in-flight requests before removing a key', async () => {
    let release!: () => void;
    transport.script(
      OTHER,
      () =>
        new Promise(
          (resolve) =>
            (release = () =>
              resolve({
                status: 200,
                headers: {},
                body: bytesOf(JSON.stringify(completion())),
              })),
        ),
    );
    admin.addKey({ id: 'extra', apiKey: OTHER });
    admin.disableKey('main'); // the call goes to 'extra' whatever the pick (main answers 401 here)
    const inFlight = pool.chat(request);
    await new Promise((resolve) => setImmediate(resolve));
    const removal = admin.removeKey('extra');
    expect(pool.snapshot().keys.find((k) => k.id === 'extra')?.state).toBe('disabled');
    release();
    await expect(inFlight).resolves.toMatchObject({ meta: { keyId: 'extra' } });
    await removal;
    expect(pool.snapshot().keys.map((k) => k.id)).toEqual(['main']);
  });
});
