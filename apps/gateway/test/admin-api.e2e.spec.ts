import { type Gateway, startGateway } from './support/gateway-harness.js';

const ADMIN = 'admin-token-xyz';
const CLIENT = 'client-token-abc';
const A = 'sk-mock-admin-aaaaaaaa01';
const B = 'sk-mock-admin-bbbbbbbb02';
const NEW = 'sk-mock-admin-rotated-03';

/** `defaults` overridden by the headers given (any HeadersInit form). */
function withDefaults(given: RequestInit['headers'], defaults: Record<string, string>): Headers {
  const headers = new Headers(defaults);
  new Headers(given).forEach((value, name) => headers.set(name, value));
  return headers;
}

describe('the key admin API', () => {
  let gateway: Gateway;
  afterEach(() => gateway.close());

  const admin = (path: string, init: RequestInit = {}, token = ADMIN) =>
    fetch(`${gateway.url}/admin/keys${path}`, {
      ...init,
      headers: withDefaults(init.headers, { authorization: `Bearer ${token}`, 'content-type': 'application/json' }),
    });
  const chat = () =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('does not exist without GATEWAY_ADMIN_TOKEN', async () => {
    gateway = await startGateway({ keys: [{ key: A, name: 'a' }] }, { tokens: [CLIENT] });
    expect((await admin('')).status).toBe(404);
  });

  it('refuses a missing or wrong admin token, and the client token', async () => {
    gateway = await startGateway({ keys: [{ key: A, name: 'a' }] }, { tokens: [CLIENT], adminToken: ADMIN });
    expect((await fetch(`${gateway.url}/admin/keys`)).status).toBe(401);
    expect((await admin('', {}, 'wrong')).status).toBe(401);
    expect((await admin('', {}, CLIENT)).status).toBe(401);
  });

  it('lists keys masked, disables and enables one, and the pool follows', async () => {
    gateway = await startGateway({ keys: [{ key: A, name: 'a' }] }, { tokens: [CLIENT], adminToken: ADMIN });
    const listed = await (await admin('')).json();
    expect(listed).toEqual([expect.objectContaining({ id: 'a', maskedKey: 'sk-...aa01', state: 'ready' })]);
    expect(await (await admin('/a/disable', { method: 'POST' })).json()).toMatchObject({
      state: 'disabled',
      disabledReason: 'manual',
    });
    expect((await chat()).status).toBe(503);
    await admin('/a/enable', { method: 'POST' });
    expect((await chat()).status).toBe(200);
  });

  it('adds, rotates and removes keys without restart', async () => {
    gateway = await startGateway(
      {
        keys: [
          { key: A, name: 'a', status: 401 },
          { key: NEW, name: 'ignored' },
        ],
      },
      { tokens: [CLIENT], adminToken: ADMIN },
    );
    await admin('/ignored', { method: 'DELETE' });
    expect((await chat()).status).toBe(503);
    const rotated = await admin('/a/secret', { method: 'PUT', body: JSON.stringify({ apiKey: NEW }) });
    expect(await rotated.json()).toMatchObject({ id: 'a', maskedKey: 'sk-...d-03', state: 'ready' });
    expect((await chat()).headers.get('x-deepseek-pool-key')).toBe('a');
    const added = await admin('', {
      method: 'POST',
      body: JSON.stringify({ id: 'b', apiKey: B, baseUrl: gateway.mock.url }),
    });
    expect(added.status).toBe(201);
    expect((await admin('/a', { method: 'DELETE' })).status).toBe(204);
    expect(((await (await admin('')).json()) as Array<{ id: string }>).map((k) => k.id)).toEqual(['b']);
  });

  it('imports in bulk all-or-nothing and exports without secrets', async () => {
    gateway = await startGateway({ keys: [{ key: A, name: 'a' }] }, { tokens: [CLIENT], adminToken: ADMIN });
    const bad = await admin('/import', {
      method: 'POST',
      body: JSON.stringify({
        keys: [
          { id: 'b', apiKey: B },
          { id: 'c', apiKey: B },
        ],
      }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'keys[1].apiKey' } });
    expect(((await (await admin('')).json()) as unknown[]).length).toBe(1);
    const good = await admin('/import', {
      method: 'POST',
      body: JSON.stringify({ keys: [{ id: 'b', apiKey: B, weight: 2 }] }),
    });
    expect(good.status).toBe(201);
    const exported = await (await admin('/export')).text();
    expect(JSON.parse(exported)).toMatchObject({
      keys: [
        { id: 'a', maskedKey: 'sk-...aa01' },
        { id: 'b', weight: 2 },
      ],
    });
    expect(exported).not.toContain(A);
    expect(exported).not.toContain(B);
  });

  it('answers 404 for an unknown key id and 400 for a bad key body, in the OpenAI envelope', async () => {
    gateway = await startGateway({ keys: [{ key: A, name: 'a' }] }, { tokens: [CLIENT], adminToken: ADMIN });
    expect(await (await admin('/nope/disable', { method: 'POST' })).json()).toMatchObject({
      error: { code: 'unknown_key' },
    });
    const bad = await admin('', { method: 'POST', body: JSON.stringify({ id: 'x', apiKey: A, weight: -1 }) });
    expect(bad.status).toBe(400);
    const body = await bad.text();
    expect(body).toContain('weight');
    expect(body).not.toContain(A);
  });

  it('never shows a secret in any response or log line while keys fail and rotate', async () => {
    gateway = await startGateway(
      {
        keys: [
          { key: A, name: 'a', status: 401 },
          { key: B, name: 'b', status: 429 },
        ],
      },
      { tokens: [CLIENT], adminToken: ADMIN },
    );
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await chat();
      bodies.push(await response.text(), JSON.stringify([...response.headers]));
    }
    for (const path of ['', '/export']) bodies.push(await (await admin(path)).text());
    bodies.push(await (await admin('/a/secret', { method: 'PUT', body: JSON.stringify({ apiKey: NEW }) })).text());
    const everything = [...bodies, ...gateway.logs.lines].join('\n');
    expect(everything).toContain('sk-...aa01');
    for (const secret of [A, B, NEW, ADMIN, CLIENT]) expect(everything).not.toContain(secret);
  });
});
