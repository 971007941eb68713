import { describe, expect, it } from '@jest/globals';
import { CHAT_BODY, singleKeyMock, until } from './spec-support.js';
import type { KeyBehaviour } from './types.js';

const KEY = 'sk-mock-hostile-0001';
const STREAM_BODY = { ...CHAT_BODY, stream: true };

const single = singleKeyMock(KEY);
const { client, stats } = single;
const startWith = single.start;

/**
 * Reads `bytes` of a response body, then drops the connection; returns the text read and how many line breaks it held.
 */
async function readSome(body: unknown, bytes: number): Promise<{ text: string; lineBreaks: number }> {
  const response = await client.open('POST', '/chat/completions', KEY, body);
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body) {
    text += decoder.decode(chunk as Uint8Array, { stream: true });
    if (text.length >= bytes) break;
  }
  return { text, lineBreaks: text.split('\n').length - 1 };
}

describe('endless bodies', () => {
  it('endlessBody: a JSON answer that never closes, one line, until the client leaves', async () => {
    await startWith({ endlessBody: true });
    const { text, lineBreaks } = await readSome(CHAT_BODY, 1_000_000);
    expect(text.startsWith('{"id":"endless"')).toBe(true);
    expect(text.length).toBeGreaterThanOrEqual(1_000_000);
    expect(lineBreaks).toBe(0);
    await until(() => stats().clientAborts === 1);
  });

  it('endlessBody on a stream: well-formed content events without end', async () => {
    await startWith({ endlessBody: true });
    const { text } = await readSome(STREAM_BODY, 500_000);
    const events = text.split('\n\n').slice(0, -1);
    expect(events.length).toBeGreaterThan(400);
    expect(events.every((event) => event.startsWith('data: {'))).toBe(true);
    expect(JSON.parse(events[1].slice(6))).toMatchObject({
      choices: [{ delta: { content: expect.stringMatching(/^x+$/) } }],
    });
  });

  it('endlessLine on a stream: the role event, then one line that never ends', async () => {
    await startWith({ endlessLine: true });
    const { text, lineBreaks } = await readSome(STREAM_BODY, 1_000_000);
    expect(text.startsWith('data: {"id":"endless"')).toBe(true);
    expect(lineBreaks).toBe(2);
  });
});

describe('verbatim Retry-After', () => {
  it.each<[string, KeyBehaviour, Record<string, string>]>([
    [
      'a huge Retry-After',
      { retryAfterHeader: '99999999999999999999999' },
      { 'retry-after': '99999999999999999999999' },
    ],
    ['an invalid Retry-After', { retryAfterHeader: 'soon, maybe' }, { 'retry-after': 'soon, maybe' }],
    [
      'a retry-after-ms beside Retry-After seconds',
      { retryAfterSeconds: 3, retryAfterMsHeader: '1e400' },
      { 'retry-after': '3', 'retry-after-ms': '1e400' },
    ],
  ])('sends %s on a 429', async (_name, behaviour, headers) => {
    await startWith({ status: 429, ...behaviour });
    const response = await client.chat(KEY);
    expect(response.status).toBe(429);
    expect(response.headers).toMatchObject(headers);
  });

  it('can be switched on at run time through the admin API', async () => {
    await startWith({ status: 503 });
    const patched = await client.send('PATCH', '/_mock/keys/k', undefined, {
      retryAfterHeader: '999999',
      endlessLine: false,
    });
    expect(patched.status).toBe(200);
    const response = await client.chat(KEY);
    expect(response.headers['retry-after']).toBe('999999');
  });
});
