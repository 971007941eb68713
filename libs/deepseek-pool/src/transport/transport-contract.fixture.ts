import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LARGE_BODY_BYTES, refusedOrigin, startTestUpstream, type TestUpstream } from './test-upstream.fixture.js';
import { forEachChunk } from './chunked-body.js';
import { AbortHandle } from '../resilience/abort-handle.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';
import { TransportAbortError, TransportError } from './transport-errors.js';
import { sendExchange } from './undici.transport.js';

/** A transport under test and how to dispose of it. */
export interface TransportFixture {
  transport: Transport;
  dispose(): Promise<void>;
}

async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Reads a body whole, as the pool reads a non-streaming answer (forEachChunk). */
async function readWhole(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  await forEachChunk(body, (chunk) => (text += decoder.decode(chunk, { stream: true })));
  return text + decoder.decode();
}

/** Reads a body (iterated, or whole) and returns what it threw. */
async function readError(body: AsyncIterable<Uint8Array>, read = readText): Promise<unknown> {
  return read(body).then(
    () => new Error('the body ended without an error'),
    (error: unknown) => error,
  );
}

/** How the contract's requests are sent: with an AbortSignal of their own, or by the pool's sendExchange (a handle). */
export type AbortedThrough = 'signal' | 'handle';

/** One request's abort side, and how the request is sent with it. */
interface Abortion {
  abort(reason?: unknown): void;
  send(transport: Transport, fields: Omit<TransportRequest, 'signal'>): Promise<TransportResponse>;
}

function abortion(through: AbortedThrough): Abortion {
  if (through === 'handle') {
    const handle = new AbortHandle();
    return {
      abort: (reason) => handle.abort(reason),
      send: (transport, fields) => sendExchange(transport, fields, handle),
    };
  }
  const controller = new AbortController();
  return {
    abort: (reason) => controller.abort(reason),
    send: (transport, fields) => transport.request({ ...fields, signal: controller.signal }),
  };
}

/** The behaviour every Transport must show, run against a real loopback server. */
export function describeTransportContract(
  name: string,
  create: () => Promise<TransportFixture>,
  through: AbortedThrough = 'signal',
): void {
  describe(`${name} (Transport contract, sent ${through === 'signal' ? 'with an AbortSignal' : 'by sendExchange with an AbortHandle'})`, () => {
    let upstream: TestUpstream;
    let fixture: TransportFixture;

    const send = (
      path: string,
      overrides: Partial<Omit<TransportRequest, 'signal'>> = {},
      aborts: Abortion = abortion(through),
    ) => aborts.send(fixture.transport, { baseUrl: upstream.origin, path, method: 'GET', headers: {}, ...overrides });

    beforeAll(async () => {
      upstream = await startTestUpstream();
      fixture = await create();
    });

    afterAll(async () => {
      await fixture.dispose();
      await upstream.close();
    });

    it('sends method, path, headers and body, and returns status, headers and body', async () => {
      // Arrange
      const body = JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: '你好' }] });

      // Act
      const response = await send('/echo', {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
        body,
      });
      const echoed = JSON.parse(await readText(response.body)) as {
        method: string;
        url: string;
        headers: Record<string, string>;
        body: string;
      };

      // Assert
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.headers['x-upstream']).toBe('yes');
      expect(echoed).toMatchObject({ method: 'POST', url: '/echo', body });
      expect(echoed.headers).toMatchObject({ authorization: 'Bearer sk-test', 'content-type': 'application/json' });
    });

    it('sends a GET without a body', async () => {
      // Act
      const response = await send('/echo');
      const echoed = JSON.parse(await readText(response.body)) as { method: string; body: string };

      // Assert
      expect(echoed).toMatchObject({ method: 'GET', body: '' });
    });

    it('reports a repeated response header by its first value', async () => {
      // Act
      const response = await send('/echo');
      await readText(response.body);

      // Assert
      expect(response.headers['set-cookie']).toBe('a=1');
    });

    it('appends the path to a base URL that has a path prefix', async () => {
      // Arrange
      const baseUrl = `${upstream.origin}/v1`;

      // Act
      const response = await send('/echo', { baseUrl });
      const echoed = JSON.parse(await readText(response.body)) as { url: string };

      // Assert
      expect(echoed.url).toBe('/v1/echo');
    });

    it('returns an error status as a response, with its body', async () => {
      // Act
      const response = await send('/status/503', { method: 'POST', body: '{}' });
      const body = await readText(response.body);

      // Assert
      expect(response.status).toBe(503);
      expect(JSON.parse(body)).toMatchObject({ error: { message: 'Server busy' } });
    });

    it('rejects a refused connection with code ECONNREFUSED', async () => {
      // Arrange
      const baseUrl = await refusedOrigin();

      // Act
      const error = await send('/echo', { baseUrl }).catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    });

    it.each([
      ['iterated', readText],
      ['read whole', readWhole],
    ])('fails the body (%s) with a code when the connection drops mid-body', async (_, read) => {
      // Act
      const response = await send('/reset');
      const error = await readError(response.body, read);

      // Assert
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
    });

    it('reads a body whole as iterated', async () => {
      // Act
      const iterated = await readText((await send('/echo')).body);
      const whole = await readWhole((await send('/echo')).body);

      // Assert
      expect(whole).toBe(iterated);
      expect(JSON.parse(whole)).toMatchObject({ method: 'GET', url: '/echo' });
    });

    it('reads a body many times its buffer whole when iterated slowly', async () => {
      // Arrange
      const response = await send('/large');
      let size = 0;

      // Act
      for await (const chunk of response.body) {
        size += chunk.byteLength;
        await new Promise((resolve) => setImmediate(resolve));
      }

      // Assert
      expect(size).toBe(LARGE_BODY_BYTES);
    });

    it('closes the socket when an iteration stops before the end of the body', async () => {
      // Arrange
      const response = await send('/stream');
      const served = await upstream.nextRequest('/stream');

      // Act
      for await (const _ of response.body) break;

      // Assert
      await served.socketClosed;
    });

    it('ends a body read whole with an AbortError and closes the socket when aborted mid-body', async () => {
      // Arrange
      const aborts = abortion(through);
      const response = await send('/stream', {}, aborts);
      let firstChunk = (): void => undefined;
      const chunkRead = new Promise<void>((resolve) => (firstChunk = resolve));
      const reading = forEachChunk(response.body, () => firstChunk()).catch((e: unknown) => e);
      const served = await upstream.nextRequest('/stream');
      await chunkRead;

      // Act
      aborts.abort();
      const error = await reading;

      // Assert
      expect(error).toBeInstanceOf(TransportAbortError);
      expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      await served.socketClosed;
    });

    it('destroys a body read whole when its reader throws, rejecting with what it threw', async () => {
      // Arrange
      const response = await send('/stream');
      const served = await upstream.nextRequest('/stream');
      const refusal = new Error('too large');

      // Act
      const error = await forEachChunk(response.body, () => {
        throw refusal;
      }).catch((e: unknown) => e);

      // Assert
      expect(error).toBe(refusal);
      await served.socketClosed;
    });

    it('ends the body with an AbortError and closes the socket when aborted mid-body', async () => {
      // Arrange
      const aborts = abortion(through);
      const response = await send('/stream', {}, aborts);
      const iterator = response.body[Symbol.asyncIterator]();
      await iterator.next();
      const served = await upstream.nextRequest('/stream');

      // Act
      aborts.abort();
      const error = await iterator.next().catch((e: unknown) => e);

      // Assert
      expect(error).toBeInstanceOf(TransportAbortError);
      expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      await served.socketClosed;
    });

    it('rejects with an AbortError and closes the socket when aborted before the response', async () => {
      // Arrange
      const aborts = abortion(through);
      const pending = send('/hang', {}, aborts);
      const served = await upstream.nextRequest('/hang');

      // Act
      aborts.abort();
      const error = await pending.catch((e: unknown) => e);

      // Assert
      expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      await served.socketClosed;
    });

    it('keeps the abort reason on the AbortError', async () => {
      // Arrange
      const aborts = abortion(through);
      const reason = new Error('first content timeout');
      aborts.abort(reason);

      // Act
      const error = await send('/echo', {}, aborts).catch((e: unknown) => e);

      // Assert
      expect(error).toMatchObject({ name: 'AbortError', reason });
    });
  });
}
