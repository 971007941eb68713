import { Agent, type Server, createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { DEFAULT_DRAIN_TIMEOUT_MS, drainOnSignals, drainTimeoutMs } from './drain-on-signals.js';

describe('drainTimeoutMs (GATEWAY_DRAIN_TIMEOUT_MS)', () => {
  it.each([
    [undefined, DEFAULT_DRAIN_TIMEOUT_MS],
    ['', DEFAULT_DRAIN_TIMEOUT_MS],
    ['0', 0],
    [' 5000 ', 5000],
  ])('%p -> %p ms', (value, ms) => {
    expect(drainTimeoutMs(value === undefined ? {} : { GATEWAY_DRAIN_TIMEOUT_MS: value })).toBe(ms);
  });

  it.each(['-1', '2.5', '30s'])('fails at start naming the variable: %p', (value) => {
    expect(() => drainTimeoutMs({ GATEWAY_DRAIN_TIMEOUT_MS: value })).toThrow(
      `Invalid gateway configuration "GATEWAY_DRAIN_TIMEOUT_MS": must be an integer number of milliseconds >= 0 (got "${value}")`,
    );
  });
});

describe('drainOnSignals (real HTTP server, keep-alive client)', () => {
  let server: Server;
  let agent: Agent;
  let release: () => void;
  /** Resolves once the server has the `/slow` request (so a test need not guess how long that takes). */
  let slowArrived: Promise<void>;
  let port: number;
  const added: NodeJS.SignalsListener[] = [];

  beforeEach(async () => {
    let arrive: () => void = () => undefined;
    slowArrived = new Promise((resolve) => (arrive = resolve));
    server = createServer((request, response) => {
      if (request.url === '/slow') {
        release = () => response.end('slow');
        arrive();
      } else response.end('fast');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });

  afterEach(() => {
    for (const listener of added.splice(0)) {
      process.off('SIGTERM', listener);
      process.off('SIGINT', listener);
    }
    agent.destroy();
    server.closeAllConnections();
  });

  function get(path: string): Promise<{ status: number; connection: string | undefined }> {
    return new Promise((resolve, reject) => {
      const request = httpGet({ host: '127.0.0.1', port, path, agent }, (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }),
        );
      });
      request.on('error', reject);
    });
  }

  it('closes the connection of a request that was in flight at SIGTERM, so its keep-alive client cannot send more', async () => {
    // Arrange: a keep-alive connection busy with a request when the signal comes (server.close() spares busy
    // connections)
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const app = { getHttpServer: () => server, close: () => Promise.resolve() } as unknown as INestApplication;
    const before = process.listeners('SIGTERM');
    drainOnSignals(app, 10_000, { log: () => undefined, warn: () => undefined, error: () => undefined }, (code) =>
      exit(code),
    );
    added.push(...process.listeners('SIGTERM').filter((listener) => !before.includes(listener)));
    const slow = get('/slow');
    await slowArrived;

    // Act
    process.emit('SIGTERM', 'SIGTERM');
    release();
    const answered = await slow;

    // Assert: the in-flight request finished, told its client to close, and nothing more is served
    expect(answered).toEqual({ status: 200, connection: 'close' });
    await expect(get('/fast')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await exited).toBe(0);
  });
});
