import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { echoedKey } from './key-echo.js';
import { DeepSeekMock } from './mock-server.js';
import { CHAT_BODY, RawClient, sseData } from './spec-support.js';
import type { KeyBehaviour } from './types.js';

const KEY = 'sk-mock-echo-0123456789abcdef';
const STREAM_BODY = { ...CHAT_BODY, stream: true };

let mock: DeepSeekMock;
const client = new RawClient(() => mock.url);

async function startWith(behaviour: KeyBehaviour): Promise<void> {
  mock = new DeepSeekMock({ keys: [{ key: KEY, name: 'k', ...behaviour }] });
  await mock.start();
}

afterEach(() => mock.close());
afterAll(() => client.close());

describe('echoKey: a misbehaving upstream that echoes the key', () => {
  it.each([
    [
      { status: 400 },
      400,
      `{"error":{"message":"quota exceeded for api key ${KEY}","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}`,
    ],
    [{ status: 500, body: 'text' }, 500, `quota exceeded for api key ${KEY}`],
    [
      { status: 500, body: 'text', form: 'near', paddingChars: 3 },
      500,
      `xxxquota exceeded for api key ${KEY.slice(0, -1)}`,
    ],
    [{ status: 200, form: 'url-encoded' }, 200, `${echoedKey(KEY, 'url-encoded')} is over its quota`],
  ] as const)('%o answers %d with %s', async (echoKey, status, text) => {
    await startWith({ echoKey });
    const res = await client.chat(KEY);
    expect(res.status).toBe(status);
    expect(res.text).toBe(text);
  });

  it('json-escaped: the JSON holds \\u00xx escapes that decode to the key', async () => {
    await startWith({ echoKey: { status: 500, form: 'json-escaped' } });
    const res = await client.chat(KEY);
    expect(res.text).not.toContain(KEY);
    expect(res.text).toContain('\\u0073\\u006b\\u002d');
    expect(JSON.parse(res.text)).toHaveProperty('error.message', `quota exceeded for api key ${KEY}`);
  });

  it('echoKeyEvent: a stream sends the key in an error event after N chunks (0: before any content)', async () => {
    await startWith({ echoKeyEvent: { afterChunks: 1 } });
    const events = sseData((await client.chat(KEY, STREAM_BODY)).text);
    expect(events).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ error: { message: `quota exceeded for api key ${KEY}`, type: 'api_error' } });
    expect(mock.stats().keys['k'].streams).toMatchObject({ errorEvents: 1 });
  });

  it('is set and cleared at run time through the admin endpoint, and validated', async () => {
    await startWith({});
    expect(
      (
        await client.send('PATCH', '/_mock/keys/k', undefined, {
          echoKeyEvent: { afterChunks: 0, form: 'json-escaped' },
        })
      ).status,
    ).toBe(200);
    const raw = (await client.chat(KEY, STREAM_BODY)).text;
    expect(raw).not.toContain(KEY);
    expect(sseData(raw).at(-1)).toMatchObject({ error: { message: `quota exceeded for api key ${KEY}` } });
    const bad = await client.send('PATCH', '/_mock/keys/k', undefined, { echoKey: { status: 404 } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('echoKey.status');
    await client.send('PATCH', '/_mock/keys/k', undefined, { echoKeyEvent: null });
    expect(sseData((await client.chat(KEY, STREAM_BODY)).text).at(-1)).not.toHaveProperty('error');
  });
});
