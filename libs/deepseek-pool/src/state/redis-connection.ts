import type { Redis, RedisOptions } from 'ioredis';
import { type StateScripts, defineScripts } from './redis-scripts.js';
import type { ResolvedRedisStoreOptions } from './redis-store-options.js';

/** The store's two connections: commands (scripts) and the pub/sub subscriber. */
export interface RedisLink {
  command: Redis;
  subscriber: Redis;
  scripts: StateScripts;
}

/**
 * Opens both connections (from the caller's client settings, its URL or its options; a client given is never used
 * or closed). Commands fail fast while Redis is away (no offline queue, one retry, `commandTimeoutMs`); the
 * subscriber queues and retries forever. Neither keeps the process alive.
 */
export async function openLink(
  input: ResolvedRedisStoreOptions['redis'],
  commandTimeoutMs: number,
): Promise<RedisLink> {
  const overrides: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
  };
  let command: Redis;
  if (isClient(input)) {
    command = input.duplicate(overrides);
  } else {
    const { Redis: Client } = await import('ioredis');
    command = typeof input === 'string' ? new Client(input, overrides) : new Client({ ...input, ...overrides });
  }
  const subscriber = command.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
  });
  // A forgotten close() cannot hang an exit: the sockets are unref'd (the store's timers too).
  for (const connection of [command, subscriber]) connection.on('connect', () => connection.stream.unref());
  return { command, subscriber, scripts: defineScripts(command) };
}

/** Closes both connections (QUIT, else a hard disconnect). */
export async function closeLink(link: RedisLink): Promise<void> {
  await Promise.all(
    [link.command, link.subscriber].map((connection) => connection.quit().catch(() => connection.disconnect())),
  );
}

function isClient(input: ResolvedRedisStoreOptions['redis']): input is Redis {
  return typeof input === 'object' && typeof (input as Partial<Redis>).duplicate === 'function';
}
