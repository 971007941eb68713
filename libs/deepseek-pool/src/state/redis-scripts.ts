import type { Redis } from 'ioredis';

/** Redis server time in ms, inside a script (lease expiry never depends on the replicas' clocks). */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: cooldowns hash. ARGV: scope, untilMs, nowMs, channel, message.
 * A later deadline wins, atomically; expired entries are pruned and the hash expires after its latest deadline.
 * Returns the deadline in force.
 */
const COOLDOWN = `local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local untilMs = tonumber(ARGV[2])
if current >= untilMs then return current end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local now = tonumber(ARGV[3])
local all = redis.call('HGETALL', KEYS[1])
local latest = untilMs
for i = 1, #all, 2 do
  local deadline = tonumber(all[i + 1])
  if deadline <= now then redis.call('HDEL', KEYS[1], all[i]) elseif deadline > latest then latest = deadline end
end
redis.call('PEXPIRE', KEYS[1], math.max(1, latest - now) + 60000)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return untilMs`;

/** KEYS: a hash. ARGV: field, channel, message. Deletes the field and publishes when it existed. */
const DELETE_FIELD = `if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then redis.call('PUBLISH', ARGV[2], ARGV[3]) return 1 end
return 0`;

/** KEYS: disabled hash. ARGV: keyId, state JSON, ttlMs, channel, message. */
const DISABLE = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

/**
 * KEYS: an account's lease sorted set (member: lease id, score: expiry). ARGV: limit, lease id, ttlMs.
 * Drops expired leases, then adds one when fewer than `limit` remain. Returns {granted 0|1, leases now}.
 */
const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[1]) then return {0, n} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, n + 1}`;

/** KEYS: lease set. ARGV: lease id. Returns the leases left. */
const RELEASE = `${NOW}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

/**
 * KEYS: lease set. ARGV: replica prefix, ttlMs, number of held ids, held ids..., ids being acquired...
 * Extends (or re-creates, after a Redis restart) this replica's held leases and removes its leases it no longer
 * holds (released while Redis was unreachable). Returns the leases left.
 */
const RENEW = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local prefix = ARGV[1]
local ttl = tonumber(ARGV[2])
local held = tonumber(ARGV[3])
local keep = {}
for i = 4, #ARGV do keep[ARGV[i]] = true end
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(member, 1, #prefix) == prefix and not keep[member] then redis.call('ZREM', KEYS[1], member) end
end
for i = 4, 3 + held do redis.call('ZADD', KEYS[1], now + ttl, ARGV[i]) end
local n = redis.call('ZCARD', KEYS[1])
if n > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return n`;

/**
 * One round trip per sync tick. KEYS: usage hashes (nUsage), lease sets (nLeases), cooldowns, disabled, epoch.
 * ARGV: oldest bucket kept out, current day, usage ttlMs, epoch candidate, epoch ttlMs, nUsage, nLeases, then per
 * usage hash: number of increments and (field, increment) pairs (`l:` fields keep the maximum). Applies the increments,
 * prunes fields that left the
 * window, and returns {usage fields per hash, leases per set, cooldowns, disabled, epoch}.
 */
const SYNC = `local oldest = tonumber(ARGV[1])
local day = tonumber(ARGV[2])
local nUsage = tonumber(ARGV[6])
local nLeases = tonumber(ARGV[7])
local a = 8
local usage = {}
for s = 1, nUsage do
  local key = KEYS[s]
  local increments = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, increments do
    if string.sub(ARGV[a], 1, 1) == 'l' then
      if tonumber(redis.call('HGET', key, ARGV[a]) or '0') < tonumber(ARGV[a + 1]) then redis.call('HSET', key, ARGV[a], ARGV[a + 1]) end
    else
      redis.call('HINCRBY', key, ARGV[a], ARGV[a + 1])
    end
    a = a + 2
  end
  local live = {}
  local flat = redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    local field = flat[i]
    local index = tonumber(string.sub(field, 3))
    local stale = (string.sub(field, 1, 1) == 'd' and index < day) or (string.sub(field, 1, 1) ~= 'd' and index <= oldest)
    if stale then redis.call('HDEL', key, field) else live[#live + 1] = field live[#live + 1] = flat[i + 1] end
  end
  if increments > 0 then redis.call('PEXPIRE', key, ARGV[3]) end
  usage[s] = live
end
${NOW}
local leases = {}
for s = 1, nLeases do
  redis.call('ZREMRANGEBYSCORE', KEYS[nUsage + s], '-inf', now)
  leases[s] = redis.call('ZCARD', KEYS[nUsage + s])
end
local base = nUsage + nLeases
local epoch = redis.call('GET', KEYS[base + 3])
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', KEYS[base + 3], epoch)
end
redis.call('PEXPIRE', KEYS[base + 3], ARGV[5])
return {usage, leases, redis.call('HGETALL', KEYS[base + 1]), redis.call('HGETALL', KEYS[base + 2]), epoch}`;

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;

/** The store's scripts on one connection (EVALSHA, reloaded by ioredis after a Redis restart). */
export interface StateScripts {
  cooldown(
    hash: string,
    scope: string,
    untilMs: number,
    nowMs: number,
    channel: string,
    message: string,
  ): Promise<number>;
  deleteField(hash: string, field: string, channel: string, message: string): Promise<boolean>;
  disable(hash: string, keyId: string, state: string, ttlMs: number, channel: string, message: string): Promise<void>;
  acquire(leases: string, limit: number, leaseId: string, ttlMs: number): Promise<{ granted: boolean; leases: number }>;
  release(leases: string, leaseId: string): Promise<number>;
  renew(
    leases: string,
    replicaPrefix: string,
    ttlMs: number,
    held: readonly string[],
    acquiring: readonly string[],
  ): Promise<number>;
  sync(request: SyncRequest): Promise<SyncReply>;
}

/** What one sync tick sends. */
export interface SyncRequest {
  usage: ReadonlyArray<{ key: string; increments: ReadonlyArray<readonly [field: string, by: number]> }>;
  leases: readonly string[];
  cooldowns: string;
  disabled: string;
  epoch: string;
  oldestBucket: number;
  day: number;
  usageTtlMs: number;
  epochCandidate: string;
  epochTtlMs: number;
}

/** What it gets back: flat field/value lists as Redis returns them. */
export interface SyncReply {
  usage: string[][];
  leases: number[];
  cooldowns: string[];
  disabled: string[];
  epoch: string;
}

/** Registers the scripts on `redis` and returns typed callers. */
export function defineScripts(redis: Redis): StateScripts {
  const scripts = { COOLDOWN, DELETE_FIELD, DISABLE, ACQUIRE, RELEASE, RENEW, SYNC };
  for (const [name, lua] of Object.entries(scripts)) {
    redis.defineCommand(`dsp${name}`, name === 'SYNC' ? { lua } : { lua, numberOfKeys: 1 });
  }
  const call = (name: keyof typeof scripts): ScriptFn => {
    const fn = (redis as unknown as Record<string, ScriptFn>)[`dsp${name}`];
    return (...args) => fn.apply(redis, args);
  };
  return {
    cooldown: async (...args) => Number(await call('COOLDOWN')(...args)),
    deleteField: async (...args) => (await call('DELETE_FIELD')(...args)) === 1,
    disable: async (...args) => {
      await call('DISABLE')(...args);
    },
    acquire: async (...args) => {
      const [granted, leases] = (await call('ACQUIRE')(...args)) as [number, number];
      return { granted: granted === 1, leases };
    },
    release: async (...args) => Number(await call('RELEASE')(...args)),
    renew: async (leases, prefix, ttlMs, held, acquiring) =>
      Number(await call('RENEW')(leases, prefix, ttlMs, held.length, ...held, ...acquiring)),
    sync: async (request) => {
      const keys = [
        ...request.usage.map((u) => u.key),
        ...request.leases,
        request.cooldowns,
        request.disabled,
        request.epoch,
      ];
      const increments = request.usage.flatMap((u) => [u.increments.length, ...u.increments.flat()]);
      const args = [
        request.oldestBucket,
        request.day,
        request.usageTtlMs,
        request.epochCandidate,
        request.epochTtlMs,
        request.usage.length,
        request.leases.length,
      ];
      const [usage, leases, cooldowns, disabled, epoch] = (await call('SYNC')(
        keys.length,
        ...keys,
        ...args,
        ...increments,
      )) as [string[][], number[], string[], string[], string];
      return { usage, leases, cooldowns, disabled, epoch };
    },
  };
}
