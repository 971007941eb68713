import { type RedisServer, type StartRedisOptions, startRedis } from '../../bench/lib/redis-server.js';

export type { RedisServer, StartRedisOptions };

/** Room for the server's own ready timeout (15 s by default) in the hook's. */
const START_HOOK_TIMEOUT_MS = 30_000;

/**
 * A throwaway redis-server for the enclosing `describe` (or file): started in `beforeAll` on a free loopback port, no
 * persistence, stopped (killed if it lingers) in `afterAll`. Fails, never skips, when redis-server is missing. Read
 * the returned server's `url`, `port`, `restart` in tests and later hooks only.
 */
export function useRedisServer(options: StartRedisOptions = {}): RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis(options);
  }, START_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    server = undefined;
  });
  const current = (): RedisServer => {
    if (!server) throw new Error('useRedisServer(): the server runs from beforeAll to afterAll only');
    return server;
  };
  return {
    get url() {
      return current().url;
    },
    get port() {
      return current().port;
    },
    stop: () => current().stop(),
    restart: (downMs) => current().restart(downMs),
  };
}
