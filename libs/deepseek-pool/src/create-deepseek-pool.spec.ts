import { jest } from '@jest/globals';
import { createDeepSeekPool } from './create-deepseek-pool.js';
import { InvalidOptionsError, NoDegraderError } from './deepseek-pool.errors.js';
import { MemoryStateStore } from './state/memory-state-store.js';
import { ScriptedTransport, completion } from './testing/scripted-transport.js';

const A = 'sk-factorykeyaaaaaaaa0001';
const B = 'sk-factorykeybbbbbbbb0002';
const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('createDeepSeekPool', () => {
  it('builds a service and an admin over one pool: a key the admin adds serves the next call', async () => {
    const transport = new ScriptedTransport().script(B, { status: 200, body: completion() });
    const { pool, admin, close } = createDeepSeekPool({ keys: [{ id: 'a', apiKey: A }], transport, logger: false });
    admin.disableKey('a');
    admin.addKey({ id: 'b', apiKey: B });

    await expect(pool.chat(request)).resolves.toMatchObject({ meta: { keyId: 'b' } });
    expect(pool.snapshot().keys.map((key) => [key.id, key.state])).toEqual([
      ['a', 'disabled'],
      ['b', 'ready'],
    ]);
    await close();
  });

  it('rejects a call whose affinity function throws, never throwing at once, before any upstream call', async () => {
    const transport = new ScriptedTransport().script(A, { status: 200, body: completion() });
    const affinity = (): string => {
      throw new Error('no affinity for this request');
    };
    const { pool, close } = createDeepSeekPool({ keys: A, transport, affinity, logger: false });
    let running: Promise<unknown> | undefined;

    expect(() => (running = pool.chat(request))).not.toThrow();
    await expect(running).rejects.toThrow('no affinity for this request');
    expect(transport.calls).toHaveLength(0);
    await close();
  });

  it('validates the options like the module does', () => {
    expect(() => createDeepSeekPool({ keys: [] })).toThrow(InvalidOptionsError);
  });

  it('closes once, and never the transport or store it was given', async () => {
    const transport = new ScriptedTransport();
    const store = new MemoryStateStore();
    const closeTransport = jest.spyOn(transport, 'close');
    const closeStore = jest.spyOn(store, 'close');
    const { close, ready } = createDeepSeekPool({ keys: A, transport, store, logger: false });
    await ready;

    await Promise.all([close(), close()]);

    expect(closeTransport).not.toHaveBeenCalled();
    expect(closeStore).not.toHaveBeenCalled();
  });

  it.each([
    ['chat', (pool: ReturnType<typeof createDeepSeekPool>['pool']) => pool.chat(request, { degrade: true })],
    [
      'stream',
      (pool: ReturnType<typeof createDeepSeekPool>['pool']) =>
        pool.stream({ ...request, stream: true }, { degrade: true }),
    ],
  ])(
    '%s({ degrade: true }) without a degrader fails with NO_DEGRADER before any upstream call',
    async (_call, call) => {
      const transport = new ScriptedTransport();
      const { pool, close } = createDeepSeekPool({ keys: A, transport, logger: false });
      const attempt = async (): Promise<unknown> => call(pool);

      await expect(attempt()).rejects.toThrow(NoDegraderError);
      await expect(attempt()).rejects.toMatchObject({ code: 'NO_DEGRADER' });
      expect(transport.calls).toHaveLength(0);
      await close();
    },
  );
});
