import type { Redis } from 'ioredis';
import type { ClientRecord } from './client-spec.js';

/** Where clients created through the admin API live: one replica's memory, or a Redis hash every replica reads. */
export interface ClientStore {
  /** Every stored client; undefined when the store lost its data (a Redis restart without persistence, a flush). */
  load(): Promise<ClientRecord[] | undefined>;
  /** False when the name is taken. */
  create(record: ClientRecord): Promise<boolean>;
  /** False when the client no longer exists (revoked meanwhile): a revoked client is never brought back. */
  replace(record: ClientRecord): Promise<boolean>;
  /** False when the client did not exist. */
  remove(name: string): Promise<boolean>;
}

export class MemoryClientStore implements ClientStore {
  private readonly records = new Map<string, ClientRecord>();

  load(): Promise<ClientRecord[]> {
    return Promise.resolve([...this.records.values()]);
  }

  create(record: ClientRecord): Promise<boolean> {
    if (this.records.has(record.name)) return Promise.resolve(false);
    this.records.set(record.name, record);
    return Promise.resolve(true);
  }

  replace(record: ClientRecord): Promise<boolean> {
    if (!this.records.has(record.name)) return Promise.resolve(false);
    this.records.set(record.name, record);
    return Promise.resolve(true);
  }

  remove(name: string): Promise<boolean> {
    return Promise.resolve(this.records.delete(name));
  }
}

/** KEYS: clients hash. ARGV: name, record JSON. Sets the field only when it exists. */
const REPLACE = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

type ReplaceScript = (key: string, name: string, json: string) => Promise<number>;

/** A field every write sets: a clients hash without it has lost its data (revoking the last client leaves it). */
const MARKER = '~';

/**
 * One hash `<prefix>clients`: name -> record JSON (token hash only), plus a marker field that tells an empty store
 * from a lost one. Every write is one atomic command.
 */
export class RedisClientStore implements ClientStore {
  private readonly key: string;
  private readonly replaceScript: ReplaceScript;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}clients`;
    redis.defineCommand('gatewayClientReplace', { lua: REPLACE, numberOfKeys: 1 });
    this.replaceScript = (redis as unknown as { gatewayClientReplace: ReplaceScript }).gatewayClientReplace.bind(redis);
  }

  async load(): Promise<ClientRecord[] | undefined> {
    const all = await this.redis.hgetall(this.key);
    if (!Object.hasOwn(all, MARKER)) return undefined;
    return Object.entries(all).flatMap(([field, json]) => {
      if (field === MARKER) return [];
      try {
        return [JSON.parse(json) as ClientRecord];
      } catch {
        return [];
      }
    });
  }

  async create(record: ClientRecord): Promise<boolean> {
    const [[, created]] = (await this.redis
      .multi()
      .hsetnx(this.key, record.name, JSON.stringify(record))
      .hset(this.key, MARKER, '1')
      .exec()) as Array<[unknown, number]>;
    return created === 1;
  }

  async replace(record: ClientRecord): Promise<boolean> {
    return (await this.replaceScript(this.key, record.name, JSON.stringify(record))) === 1;
  }

  async remove(name: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, name)) === 1;
  }
}
