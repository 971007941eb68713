import { seededRng } from './clock.js';
import { InvalidOptionsError } from './deepseek-pool.errors.js';
import { resolveOptions } from './deepseek-pool.options.js';
import { DeepSeekPoolService } from './deepseek-pool.service.js';
import { ScriptedTransport, completion } from './testing/scripted-transport.js';

const OLD = 'sk-oldsecret00000000001';
const NEW = 'sk-newsecret00000000002';
const OTHER = 'sk-othersecret000000003';
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };

describe('DeepSeekPoolService key administration', () => {
  let transport: ScriptedTransport;
  let pool: DeepSeekPoolService;

  beforeEach(() => {
    transport = new ScriptedTransport()
      .script(OLD, { status: 401, body: { error: { message: 'invalid' } } })
      .script(NEW, { status: 200, body: completion() })
      .script(OTHER, { status: 200, body: completion() });
    pool = new DeepSeekPoolService(
      resolveOptions({
        keys: [{ id: 'main', apiKey: OLD }],
        transport,
        logger: false,
        rng: seededRng(1),
        maxWaitForKeyMs: 0,
      }),
    );
  });

  afterEach(() => pool.onModuleDestroy());

  it('rotates a revoked key without restart: same id, new secret, back in rotation', async () => {
    await pool.chat(request).catch(() => undefined);
    expect(pool.snapshot().keys[0].state).toBe('disabled');
    const replaced = pool.replaceKey('main', NEW);
    expect(replaced).toMatchObject({ id: 'main', maskedKey: 'sk-...0002', state: 'ready' });
    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'main' } });
  });

  it('adds a key at run time and refuses a duplicate secret', async () => {
    pool.addKey({ id: 'extra', apiKey: OTHER });
    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'extra' } });
    expect(() => pool.addKey({ id: 'again', apiKey: OTHER })).toThrow(InvalidOptionsError);
  });

  it('takes a key out by hand and puts it back', async () => {
    pool.addKey({ id: 'extra', apiKey: OTHER });
    pool.disableKey('extra');
    expect(pool.snapshot().keys.find((k) => k.id === 'extra')).toMatchObject({
      state: 'disabled',
      disabledReason: 'manual',
    });
    pool.enableKey('extra');
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
                body: (async function* () {
                  yield new TextEncoder().encode(JSON.stringify(completion()));
                })(),
              })),
        ),
    );
    pool.addKey({ id: 'extra', apiKey: OTHER });
    const inFlight = pool.chat(request);
    await new Promise((resolve) => setImmediate(resolve));
    const removal = pool.removeKey('extra');
    expect(pool.snapshot().keys.find((k) => k.id === 'extra')?.state).toBe('disabled');
    release();
    await expect(inFlight).resolves.toMatchObject({ meta: { keyId: 'extra' } });
    await removal;
    expect(pool.snapshot().keys.map((k) => k.id)).toEqual(['main']);
  });
});
