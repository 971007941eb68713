import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestUpstream, type TestUpstream } from './test-upstream.fixture.js';
import { describeTransportContract } from './transport-contract.fixture.js';
import { AbortHandle } from '../resilience/abort-handle.js';
import type { TransportRequest, TransportResponse } from './transport.js';
import { sendExchange, UndiciTransport } from './undici.transport.js';

for (const through of ['signal', 'handle'] as const)
  describeTransportContract(
    'UndiciTransport',
    () => {
      const transport = new UndiciTransport();
      return Promise.resolve({ transport, dispose: () => transport.close() });
    },
    through,
  );

describe('UndiciTransport connection pooling', () => {
  let upstream: TestUpstream;

  const get = (baseUrl: string): TransportRequest => ({
    baseUrl,
    path: '/echo',
    method: 'GET',
    headers: {},
    signal: new AbortController().signal,
  });

  async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const _ of body);
  }

  /** undici marks a connection free a few microtasks after its body ends; a back-to-back call would open another. */
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  beforeAll(async () => {
    upstream = await startTestUpstream();
  });

  afterAll(async () => {
    await upstream.close();
  });

  it('rejects the promise (never throws) for a base URL it cannot route', async () => {
    // Arrange
    const transport = new UndiciTransport();

    // Act
    const sending = transport.request(get('not a url'));

    // Assert
    await expect(sending).rejects.toThrow('Invalid URL');
    await transport.close();
  });

  it('reuses one keep-alive socket for sequential requests to one origin', async () => {
    // Arrange
    const transport = new UndiciTransport();
    const before = upstream.connections;

    // Act
    for (let i = 0; i < 5; i++) {
      await drain((await transport.request(get(upstream.origin))).body);
      await nextTurn();
    }

    // Assert
    expect(upstream.connections - before).toBe(1);
    await transport.close();
  });

  it('shares the origin pool between base URLs with different path prefixes', async () => {
    // Arrange
    const transport = new UndiciTransport();
    const before = upstream.connections;

    // Act
    for (const baseUrl of [upstream.origin, `${upstream.origin}/v1`, `${upstream.origin}/beta`]) {
      await drain((await transport.request(get(baseUrl))).body);
      await nextTurn();
    }

    // Assert
    expect(upstream.connections - before).toBe(1);
    await transport.close();
  });

  it('closes its idle sockets on close()', async () => {
    // Arrange
    const transport = new UndiciTransport();
    await drain((await transport.request(get(upstream.origin))).body);
    const served = await upstream.nextRequest('/echo');

    // Act
    await transport.close();

    // Assert
    await served.socketClosed;
  });

  it('opens up to `connections` sockets for concurrent requests', async () => {
    // Arrange
    const transport = new UndiciTransport({ connections: 2 });
    const before = upstream.connections;

    // Act
    const responses = await Promise.all([1, 2, 3, 4].map(() => transport.request(get(upstream.origin))));
    await Promise.all(responses.map((response) => drain(response.body)));

    // Assert
    expect(upstream.connections - before).toBe(2);
    await transport.close();
  });

  it('rejects at once, capturing no stack trace, a request aborted while it waits for a connection; sends the next', async () => {
    // Arrange
    const transport = new UndiciTransport({ connections: 1 });
    const holder = new AbortController();
    const holding = transport.request({ ...get(upstream.origin), path: '/hang', signal: holder.signal });
    await upstream.nextRequest('/hang');
    const waiter = new AbortController();
    const waiting = transport.request({ ...get(upstream.origin), signal: waiter.signal });

    // Act
    waiter.abort();
    const error = await waiting.catch((e: unknown) => e);
    holder.abort();
    await holding.catch(() => undefined);
    const next = await transport.request(get(upstream.origin));
    await drain(next.body);
    await transport.close();

    // Assert
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect((error as Error).stack).not.toContain('\n    at ');
    expect(next.status).toBe(200);
  });

  /** A handle that counts the reads of its signal: the built-in transport aborts through the handle itself. */
  class CountedSignalReads extends AbortHandle {
    reads = 0;
    override get signal(): AbortSignal {
      this.reads++;
      return super.signal;
    }
  }

  it('builds no AbortSignal for an exchange the pool sends: it is aborted through the handle', async () => {
    // Arrange
    const transport = new UndiciTransport();
    const handle = new CountedSignalReads();
    const pending = sendExchange(transport, { ...get(upstream.origin), path: '/hang' }, handle);
    const served = await upstream.nextRequest('/hang');

    // Act
    handle.abort();
    const error = await pending.catch((e: unknown) => e);
    await transport.close();

    // Assert
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(handle.reads).toBe(0);
    await served.socketClosed;
  });

  it('aborts an exchange in flight capturing no stack trace (no one reads it), then restores the limit', async () => {
    // Arrange
    const transport = new UndiciTransport();
    const handle = new AbortHandle();
    const pending = sendExchange(transport, { ...get(upstream.origin), path: '/hang' }, handle);
    const served = await upstream.nextRequest('/hang');
    const limit = Error.stackTraceLimit;

    // Act
    handle.abort();
    const error = (await pending.catch((e: unknown) => e)) as Error;
    await transport.close();

    // Assert: the error says what happened, and has no frames.
    expect(error).toMatchObject({ name: 'AbortError', message: 'upstream request aborted' });
    expect(error.stack).not.toContain('\n    at ');
    expect(Error.stackTraceLimit).toBe(limit);
    await served.socketClosed;
  });

  it('hands a subclass that overrides `request` the request with a signal, as the contract says', async () => {
    // Arrange
    const sent: TransportRequest[] = [];
    class Recording extends UndiciTransport {
      override request(request: TransportRequest): Promise<TransportResponse> {
        sent.push(request);
        return super.request(request);
      }
    }
    const transport = new Recording();
    const handle = new CountedSignalReads();

    // Act
    await drain((await sendExchange(transport, get(upstream.origin), handle)).body);
    await transport.close();

    // Assert
    expect(sent.map((request) => request.signal.aborted)).toEqual([false]);
    expect(handle.reads).toBe(1);
  });
});
