import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { startRedis } from '../../bench/lib/redis-server.js';
import { useRedisServer } from './redis-server.js';

async function ping(url: string): Promise<string> {
  const client = new Redis(url);
  try {
    return await client.ping();
  } finally {
    client.disconnect();
  }
}

/** True when something accepts a TCP connection on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('useRedisServer', () => {
  const redis = useRedisServer();

  it('serves from beforeAll on a free loopback port', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    await expect(ping(redis.url)).resolves.toBe('PONG');
  });

  it('restart() loses the data, like a crash, and serves again on the same port', async () => {
    const client = new Redis(redis.url);
    await client.set('survives', 'no');
    client.disconnect();
    await redis.restart(0);
    const after = new Redis(redis.url);
    await expect(after.get('survives')).resolves.toBeNull();
    after.disconnect();
  });
});

describe('startRedis', () => {
  it('stop() ends the server: its port refuses connections', async () => {
    const server = await startRedis();
    await expect(ping(server.url)).resolves.toBe('PONG');
    await server.stop();
    await expect(listening(server.port)).resolves.toBe(false);
  });
});
