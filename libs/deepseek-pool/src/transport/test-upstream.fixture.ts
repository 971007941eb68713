import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the test upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Resolves when the socket that carried the request closes. */
  socketClosed: Promise<void>;
}

/** A loopback HTTP server for transport tests (routes below), on an ephemeral port. */
export interface TestUpstream {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Sockets accepted so far. */
  readonly connections: number;
  /** The next request to arrive on `path` (or the one that already arrived and was not taken yet). */
  nextRequest(path: string): Promise<SeenRequest>;
  close(): Promise<void>;
}

/**
 * Routes, under any path prefix:
 * - `.../echo`: 200 JSON of the request (method, url, headers, body), with `x-upstream: yes` and two `set-cookie`.
 * - `.../status/<code>`: that status with an OpenAI-style error body.
 * - `.../stream`: 200 `text/event-stream`, one `: keep-alive` comment, then stays open until the client leaves.
 * - `.../reset`: 200 `text/event-stream`, one comment, then the socket is destroyed.
 * - `.../large`: 200, a body of LARGE_BODY_BYTES bytes (`x`), written as fast as the client reads.
 * - `.../hang`: never answers.
 */
export async function startTestUpstream(): Promise<TestUpstream> {
  const sockets = new Set<Socket>();
  const arrived = new Map<string, SeenRequest[]>();
  const waiting = new Map<string, Array<(request: SeenRequest) => void>>();
  let connections = 0;

  const server = createServer((req, res) => {
    serve(req, res).then(
      (seen) => {
        const waiter = waiting.get(seen.url)?.shift();
        if (waiter) waiter(seen);
        else arrived.set(seen.url, [...(arrived.get(seen.url) ?? []), seen]);
      },
      // the client went away mid-body (a test aborting its request): nothing arrived to record
      () => res.destroy(),
    );
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    nextRequest(path) {
      const seen = arrived.get(path)?.shift();
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiting.set(path, [...(waiting.get(path) ?? []), resolve]));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback URL nothing listens on: a port that was free a moment ago. */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

/** Size of the `/large` route's body: many times a client's read buffer. */
export const LARGE_BODY_BYTES = 1024 * 1024;

async function serve(req: IncomingMessage, res: ServerResponse): Promise<SeenRequest> {
  const socketClosed = once(req.socket, 'close').then(() => undefined);
  let body = '';
  for await (const chunk of req) body += String(chunk);
  const url = req.url ?? '/';
  const seen: SeenRequest = { method: req.method ?? '', url, headers: req.headers, body, socketClosed };
  const status = /\/status\/(\d{3})$/.exec(url);
  if (status) {
    res.writeHead(Number(status[1]), { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'Server busy', type: 'server_error', param: null, code: null } }));
  } else if (url.endsWith('/echo')) {
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes', 'set-cookie': ['a=1', 'b=2'] });
    res.end(JSON.stringify({ method: seen.method, url, headers: req.headers, body }));
  } else if (url.endsWith('/large')) {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': LARGE_BODY_BYTES });
    res.end(Buffer.alloc(LARGE_BODY_BYTES, 'x'));
  } else if (url.endsWith('/stream') || url.endsWith('/reset')) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': keep-alive\n\n');
    if (url.endsWith('/reset')) setImmediate(() => req.socket.destroy());
  }
  return seen;
}
