import { createServer } from 'node:net';

/**
 * A port on `host` where nothing listens (bound, then released), for "connection refused" tests.
 * Another process could take it meanwhile; on a test machine that is unlikely.
 */
export async function refusedPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
