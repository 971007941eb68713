import OpenAI from 'openai';
import { type Gateway, startGateway } from './support/gateway-harness.js';

const TOKEN = 'client-token-degrade';
const KEY_A = 'sk-mock-degrade-aaaa0001';
const KEY_B = 'sk-mock-degrade-bbbb0002';
const cast = {
  keys: [
    { key: KEY_A, name: 'a' },
    { key: KEY_B, name: 'b' },
  ],
};
const question = {
  model: 'deepseek-v4-flash',
  temperature: 0,
  messages: [{ role: 'user' as const, content: 'What is 2+2?' }],
};

describe('gateway health endpoints and degradation', () => {
  let gateway: Gateway;
  afterEach(() => gateway.close());

  const post = (body: unknown, token = TOKEN) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const allKeysDown = () => {
    for (const key of [KEY_A, KEY_B]) gateway.mock.setKey(key, { status: 503 });
  };

  it('keeps liveness up when every key is down, while readiness goes down', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN] });
    expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
    for (const key of [KEY_A, KEY_B]) gateway.mock.setKey(key, { status: 401 });
    await post(question);
    await post(question);
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(503);
    const body = await ready.text();
    expect(JSON.parse(body)).toMatchObject({ status: 'error', error: { 'deepseek-pool': { status: 'down' } } });
    expect(body).not.toContain(KEY_A);
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
  });

  it('answers from the cache of good answers when the pool cannot serve, marked as degraded', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN], degradation: {} });
    const fresh = await post(question);
    const freshBody = await fresh.json();
    expect(fresh.headers.get('x-deepseek-pool-degraded')).toBeNull();
    allKeysDown();
    const cached = await post(question);
    expect(cached.status).toBe(200);
    expect(cached.headers.get('x-deepseek-pool-degraded')).toBe('cache');
    expect(await cached.json()).toEqual(freshBody);
  });

  it("never serves one client's cached answer to another client", async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN, 'other-client'], degradation: {} });
    await (await post(question)).json();
    allKeysDown();
    const other = await post(question, 'other-client');
    expect(other.status).toBe(503);
    expect(other.headers.get('x-deepseek-pool-degraded')).toBe('fallback');
  });

  it('falls back to a 503 with Retry-After that the openai client retries, then to a lighter model when one is configured', async () => {
    gateway = await startGateway(cast, {
      tokens: [TOKEN],
      degradation: { modelFallbacks: { 'deepseek-v4-pro': ['deepseek-v4-flash'] } },
    });
    gateway.mock.setKey(KEY_A, { status: 503 });
    gateway.mock.setKey(KEY_B, { status: 503 });
    const fallback = await post({ ...question, messages: [{ role: 'user', content: 'uncached' }] });
    expect(fallback.status).toBe(503);
    expect(fallback.headers.get('x-deepseek-pool-degraded')).toBe('fallback');
    expect(Number(fallback.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await fallback.json()).toMatchObject({ error: { message: 'System busy, please retry shortly' } });
  });

  it('replays a cached answer as a well-formed stream that the openai client reads', async () => {
    gateway = await startGateway(cast, { tokens: [TOKEN], degradation: {} });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const fresh = await openai.chat.completions.create(question);
    allKeysDown();
    const { data: stream, response } = await openai.chat.completions
      .create({ ...question, stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(response.headers.get('x-deepseek-pool-degraded')).toBe('cache');
    expect(text).toBe(fresh.choices[0].message.content);
  });
});
