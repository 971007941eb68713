import { describe, expect, it } from '@jest/globals';
import { refusedPort } from './refused-port.js';
import { CHAT_BODY, RawClient, singleKeyMock, sseData, until } from './spec-support.js';

const KEY = 'sk-mock-fault-0001';
const STREAM_BODY = { ...CHAT_BODY, stream: true };

const single = singleKeyMock(KEY);
const { client, stats } = single;
const startWith = single.start;

describe('connection faults', () => {
  it('hang: never answers; a client abort is counted and frees the slot', async () => {
    await startWith({ hang: true });
    const abort = new AbortController();
    const pending = client.chat(KEY, CHAT_BODY, abort.signal);
    await until(() => stats().inFlight === 1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    await until(() => stats().clientAborts === 1);
    expect(stats()).toMatchObject({ inFlight: 0, responses: {} });
  });

  it('hang: close() destroys hung connections (not counted as client aborts)', async () => {
    await startWith({ hang: true });
    const pending = client.chat(KEY).catch((err: unknown) => err);
    await until(() => stats().inFlight === 1);
    await single.mock.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(stats().clientAborts).toBe(0);
  });

  it('headersThenStall: sends 200 headers, then nothing', async () => {
    await startWith({ headersThenStall: true });
    const abort = new AbortController();
    const res = await client.open('POST', '/chat/completions', KEY, STREAM_BODY, abort.signal);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    abort.abort();
    await expect(res.body.text()).rejects.toThrow();
    await until(() => stats().clientAborts === 1);
  });

  it('reset: destroys the socket on arrival (ECONNRESET)', async () => {
    await startWith({ reset: true });
    await expect(client.chat(KEY)).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/) });
    expect(stats().resets).toBe(1);
  });

  it('refusedPort: a port where connections are refused', async () => {
    await startWith({});
    const port = await refusedPort();
    const refused = new RawClient(() => `http://127.0.0.1:${port}`);
    await expect(refused.chat(KEY)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await refused.close();
  });
});

describe('body faults', () => {
  it('keep-alive trickle then answer: blank lines before the JSON', async () => {
    await startWith({ keepAlive: { intervalMs: 20, afterMs: 100, then: 'answer' } });
    const started = performance.now();
    const res = await client.chat(KEY);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^\n{5}\{/);
    expect(JSON.parse(res.text)).toHaveProperty('object', 'chat.completion');
  });

  it('keep-alive trickle then close: a 200 of blank lines only', async () => {
    await startWith({ keepAlive: { intervalMs: 20, afterMs: 60, then: 'close' } });
    const res = await client.chat(KEY);
    expect(res.status).toBe(200);
    expect(res.text).toBe('\n\n\n');
  });

  it('keep-alive trickle in a stream: ": keep-alive" comments, then the stream', async () => {
    await startWith({ keepAlive: { intervalMs: 20, afterMs: 60, then: 'answer' } });
    const res = await client.chat(KEY, STREAM_BODY);
    expect(res.text.startsWith(': keep-alive\n\n: keep-alive\n\n: keep-alive\n\ndata: {')).toBe(true);
    expect(sseData(res.text).at(-1)).toBe('[DONE]');
    expect(stats().streams).toMatchObject({ started: 1, completed: 1 });
  });

  it('blankBody: a 200 whose body is only blank lines', async () => {
    await startWith({ blankBody: true });
    const res = await client.chat(KEY);
    expect(res.status).toBe(200);
    expect(res.text.trim()).toBe('');
    expect(() => JSON.parse(res.text) as unknown).toThrow(SyntaxError);
  });

  it('cutAfterChunks: the stream stops after N text chunks and the socket is destroyed (no [DONE], no error)', async () => {
    await startWith({ cutAfterChunks: 2, streamChunks: 4 });
    const res = await client.open('POST', '/chat/completions', KEY, STREAM_BODY);
    expect(res.statusCode).toBe(200);
    let received = '';
    await expect(
      (async () => {
        for await (const chunk of res.body as AsyncIterable<Buffer>) received += chunk.toString();
      })(),
    ).rejects.toThrow();
    const events = sseData(received);
    expect(events).toHaveLength(1 + 2);
    expect(received).not.toContain('[DONE]');
    expect(received).not.toContain('"error"');
    expect(stats().streams).toMatchObject({ started: 1, cut: 1, completed: 0 });
    expect(stats().clientAborts).toBe(0);
  });

  it('errorEventAfterChunks: sends data: {"error":...} after N chunks, then ends', async () => {
    await startWith({ errorEventAfterChunks: 1 });
    const res = await client.chat(KEY, STREAM_BODY);
    const events = sseData(res.text);
    expect(events).toHaveLength(1 + 1 + 1);
    expect(events.at(-1)).toEqual({
      error: { message: 'Server Error', type: 'api_error', param: null, code: 'invalid_request_error' },
    });
    expect(stats().streams).toMatchObject({ errorEvents: 1, completed: 0 });
  });
});
