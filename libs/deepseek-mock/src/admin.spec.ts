import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DeepSeekMock } from './mock-server.js';
import { RawClient } from './spec-support.js';

const KEY = 'sk-mock-admin-0001';

let mock: DeepSeekMock;
const client = new RawClient(() => mock.url);
const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
  const res = await client.send(method, `/_mock/${path}`, undefined, body);
  return { status: res.status, body: JSON.parse(res.text) };
};

beforeEach(async () => {
  mock = new DeepSeekMock({
    accounts: { 'acct-a': { maxConcurrency: 4, balance: 10 } },
    keys: [{ key: KEY, name: 'switchable', account: 'acct-a' }],
  });
  await mock.start();
});

afterEach(async () => {
  await mock.close();
});

afterAll(() => client.close());

describe('admin endpoint /_mock/', () => {
  it('turns a key bad and back, from another process', async () => {
    expect((await client.chat(KEY)).status).toBe(200);
    const bad = await admin('PUT', 'keys/switchable', { status: 503, retryAfterSeconds: 1 });
    expect(bad).toEqual({
      status: 200,
      body: expect.objectContaining({ key: KEY, status: 503, retryAfterSeconds: 1 }),
    });
    const down = await client.chat(KEY);
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('1');
    await admin('PATCH', `keys/${encodeURIComponent(KEY)}`, { status: null, retryAfterSeconds: null });
    expect((await client.chat(KEY)).status).toBe(200);
    expect((await admin('GET', 'keys/switchable')).body).toEqual({ key: KEY, name: 'switchable', account: 'acct-a' });
  });

  it('reports stats and resets counters', async () => {
    await client.chat(KEY);
    await client.chat('sk-unknown-0000');
    const { body } = await admin('GET', 'stats');
    expect(body).toMatchObject({
      keys: { switchable: { key: KEY, account: 'acct-a', requests: { chat: 1 }, responses: { 200: 1 } } },
      unauthenticated: { chat: 1 },
      totalRequests: { chat: 2 },
      accounts: { 'acct-a': { maxConcurrency: 4, currency: 'USD', peakInFlight: 1 } },
    });
    expect((await admin('POST', 'reset')).body).toEqual({ ok: true });
    expect((await admin('GET', 'stats')).body).toHaveProperty(['keys', 'switchable', 'requests', 'chat'], 0);
  });

  it('sets an account balance and concurrency', async () => {
    expect((await admin('POST', 'accounts/acct-a/balance', { balance: 0 })).body).toMatchObject({ balance: 0 });
    expect((await client.chat(KEY)).status).toBe(402);
    await admin('POST', 'accounts/acct-a/balance', { balance: 5 });
    expect((await client.chat(KEY)).status).toBe(200);
    expect((await admin('PUT', 'accounts/acct-a', { maxConcurrency: 0 })).body).toMatchObject({ maxConcurrency: 0 });
    expect((await client.chat(KEY)).status).toBe(429);
    await admin('PUT', 'accounts/acct-a', { maxConcurrency: null });
    expect((await client.chat(KEY)).status).toBe(200);
  });

  it('adds, lists and removes keys', async () => {
    const added = await admin('POST', 'keys', { key: 'sk-mock-new-0001', name: 'new', account: 'acct-a' });
    expect(added.status).toBe(200);
    expect((await admin('GET', 'keys')).body).toMatchObject([{ name: 'switchable' }, { name: 'new' }]);
    expect((await client.chat('sk-mock-new-0001')).status).toBe(200);
    expect((await admin('DELETE', 'keys/new')).body).toEqual({ ok: true });
    expect((await client.chat('sk-mock-new-0001')).status).toBe(401);
  });

  it('answers 400 naming the bad field, 404 for unknown keys, accounts and routes', async () => {
    const bad = await admin('PUT', 'keys/switchable', { latencyMs: -5 });
    expect(bad).toEqual({
      status: 400,
      body: { error: { message: 'patch.latencyMs: expected a number >= 0, got -5' } },
    });
    expect((await admin('PUT', 'keys/switchable', { latency: 5 })).body).toMatchObject({
      error: { message: expect.stringMatching(/^patch\.latency: unknown field/) },
    });
    expect((await admin('PUT', 'keys/switchable', '{oops')).status).toBe(400);
    expect((await admin('POST', 'accounts/acct-a/balance', { balance: 'ten' })).status).toBe(400);
    expect((await admin('POST', 'keys', { key: 'sk-mock-x-0001', account: 'nope' })).status).toBe(400);
    expect((await admin('PUT', 'keys/nobody', { status: 500 })).status).toBe(404);
    expect((await admin('POST', 'accounts/nobody/balance', { balance: 1 })).status).toBe(404);
    expect((await admin('GET', 'nothing')).status).toBe(404);
  });
});
