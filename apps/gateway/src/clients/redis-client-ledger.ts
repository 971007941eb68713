import type { Redis } from 'ioredis';
import { type ClientLedger, MemoryLedger, type RequestSize, type Reservation } from './client-ledger.js';
import {
  type ClientLimits,
  type ClientTotals,
  DAY_MS,
  type Increments,
  LIMIT_NAMES,
  MINUTE_BUCKETS,
  SECOND_MS,
  type Refusal,
  type UsageFields,
  applyIncrements,
  correctionOf,
  dayOf,
  incrementsAt,
  monthOf,
  refusalOf,
  secondOf,
  storedMax,
  totalsOf,
} from './spend-window.js';

/**
 * KEYS: a client's usage hash. ARGV: oldest stale second, day, month, ttlMs, 5 limits in storage units ('' = none,
 * order of LIMIT_NAMES), number of carried increments, then (field, by) pairs: carried first (counted while Redis
 * was unreachable, or a correction: applied unconditionally), then the reservation (applied only when every count
 * is under its limit). Prunes fields that no longer count. Returns {granted 0|1, fields before the reservation}.
 * The same step as MemoryLedger (spend-window.ts), in one atomic script.
 */
const ADMIT = `local oldest, day, month = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local nCarry = tonumber(ARGV[10])
local a = 11
for _ = 1, nCarry do
  redis.call('HINCRBY', KEYS[1], ARGV[a], ARGV[a + 1])
  a = a + 2
end
local counts = {0, 0, 0, 0, 0}
local live = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do
  local kind, index, value = string.sub(flat[i], 1, 1), tonumber(string.sub(flat[i], 3)), tonumber(flat[i + 1])
  local stale = ((kind == 'r' or kind == 't') and index <= oldest) or ((kind == 'd' or kind == 'c') and index < day) or (kind == 'm' and index < month)
  if stale then
    redis.call('HDEL', KEYS[1], flat[i])
  else
    live[#live + 1] = flat[i]
    live[#live + 1] = flat[i + 1]
    if kind == 'r' then counts[1] = counts[1] + value
    elseif kind == 't' then counts[2] = counts[2] + value
    elseif kind == 'd' and index == day then counts[3] = counts[3] + value
    elseif kind == 'c' and index == day then counts[4] = counts[4] + value
    elseif kind == 'm' and index == month then counts[5] = counts[5] + value end
  end
end
local granted = 1
if a <= #ARGV then
  for l = 1, 5 do
    if ARGV[4 + l] ~= '' and counts[l] >= tonumber(ARGV[4 + l]) then granted = 0 end
  end
  if granted == 1 then
    for i = a, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {granted, live}`;

/** How long a client's usage hash lives without traffic: past the longest window (a month). */
const USAGE_TTL_MS = 32 * DAY_MS;

type AdmitScript = (key: string, ...args: Array<string | number>) => Promise<[number, string[]]>;

/**
 * The ledger every replica shares: each admission is one atomic script on the client's Redis hash, so replicas
 * enforce one client's limits together (exactly: the check and the count are one step). When Redis is unreachable
 * (a command fails or the connection is not ready) a replica admits against its own view: the counts Redis last
 * returned for the client plus what it counted since; those counts are carried into Redis with the client's next
 * admission once it is back. No request within its limits fails because Redis is down; during an outage each
 * replica counts only its own traffic on top of the last shared view.
 */
export class RedisClientLedger implements ClientLedger {
  private readonly local: MemoryLedger;
  /** Each client's counts as Redis last returned them (with this replica's later reservation). */
  private readonly lastSeen = new Map<string, UsageFields>();
  /** Increments counted here that Redis has not seen yet. */
  private readonly pending = new Map<string, UsageFields>();
  private readonly script: AdmitScript;
  private offline = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
    private readonly onStateChange: (online: boolean, error?: unknown) => void = () => undefined,
  ) {
    this.local = new MemoryLedger(now);
    redis.defineCommand('gatewayClientAdmit', { lua: ADMIT, numberOfKeys: 1 });
    this.script = (redis as unknown as { gatewayClientAdmit: AdmitScript }).gatewayClientAdmit.bind(redis);
  }

  async admit(client: string, limits: ClientLimits, estimate: RequestSize): Promise<Reservation | Refusal> {
    const nowMs = this.now();
    const reserve = incrementsAt(nowMs, 1, estimate.tokens, estimate.nanoUsd);
    const fields = await this.run(client, nowMs, limits, reserve);
    if (fields === undefined) return this.admitLocally(client, limits, estimate, nowMs);
    if (fields.granted) return { client, atMs: nowMs, estimate };
    // The script and refusalOf apply one rule to the same fields; the fallback only guards against a drift between
    // them.
    return (
      refusalOf(limits, fields.before, nowMs) ?? {
        // the script refuses only over a limit that is set; the first name is a type-level fallback
        limit: LIMIT_NAMES.find((l) => limits[l] !== undefined) ?? LIMIT_NAMES[0],
        max: 0,
        retryAfterMs: SECOND_MS,
      }
    );
  }

  settle(reservation: Reservation, actual: RequestSize): void {
    const nowMs = this.now();
    const correction = correctionOf(reservation.atMs, reservation.estimate, actual, nowMs);
    if (correction.length === 0) return;
    // run() answers undefined when Redis fails (the correction then counts locally until Redis is back)
    this.run(reservation.client, nowMs, {}, [], correction)
      .then((fields) => {
        if (fields === undefined) this.countLocally(reservation.client, correction);
      })
      .catch((error: unknown) => this.wentOffline(error));
  }

  totals(client: string): ClientTotals {
    return this.offline && this.local.has(client)
      ? this.local.totals(client)
      : totalsOf(this.lastSeen.get(client) ?? new Map(), this.now());
  }

  async close(): Promise<void> {
    await this.local.close();
  }

  /**
   * One script call carrying the client's pending increments plus `extra`, reserving `reserve` when within `limits`.
   * Undefined when Redis could not be reached (the pending increments are kept).
   */
  private async run(
    client: string,
    nowMs: number,
    limits: ClientLimits,
    reserve: Increments,
    extra: Increments = [],
  ): Promise<{ granted: boolean; before: UsageFields } | undefined> {
    if (this.redis.status !== 'ready') {
      this.wentOffline(new Error(`Redis connection ${this.redis.status}`));
      return;
    }
    const carry: Increments = [...(this.pending.get(client) ?? []), ...extra];
    this.pending.delete(client);
    const limitArgs = LIMIT_NAMES.map((limit) => (limits[limit] === undefined ? '' : storedMax(limit, limits[limit])));
    try {
      const args = [
        secondOf(nowMs) - MINUTE_BUCKETS,
        dayOf(nowMs),
        monthOf(nowMs),
        USAGE_TTL_MS,
        ...limitArgs,
        carry.length,
        ...carry.flat(),
        ...reserve.flat(),
      ];
      const [granted, flat] = await this.script(`${this.prefix}usage:${client}`, ...args);
      this.wentOnline();
      const before = fieldsOf(flat);
      const seen = new Map(before);
      if (granted === 1) applyIncrements(seen, reserve);
      this.lastSeen.set(client, seen);
      return { granted: granted === 1, before };
    } catch (error) {
      applyIncrements(this.pendingOf(client), carry);
      this.wentOffline(error);
      return;
    }
  }

  private admitLocally(
    client: string,
    limits: ClientLimits,
    estimate: RequestSize,
    nowMs: number,
  ): Reservation | Refusal {
    if (!this.local.has(client)) this.local.seed(client, this.lastSeen.get(client) ?? new Map());
    const result = this.local.admitNow(client, limits, estimate, nowMs);
    if ('atMs' in result)
      applyIncrements(this.pendingOf(client), incrementsAt(nowMs, 1, estimate.tokens, estimate.nanoUsd));
    return result;
  }

  private countLocally(client: string, increments: Increments): void {
    if (!this.local.has(client)) this.local.seed(client, this.lastSeen.get(client) ?? new Map());
    this.local.apply(client, increments);
    applyIncrements(this.pendingOf(client), increments);
  }

  private pendingOf(client: string): UsageFields {
    let fields = this.pending.get(client);
    if (fields === undefined) this.pending.set(client, (fields = new Map<string, number>()));
    return fields;
  }

  private wentOffline(error: unknown): undefined {
    if (!this.offline) {
      this.offline = true;
      this.onStateChange(false, error);
    }
    return undefined;
  }

  private wentOnline(): void {
    if (!this.offline) return;
    this.offline = false;
    this.local.clear();
    this.onStateChange(true);
  }
}

function fieldsOf(flat: readonly string[]): UsageFields {
  const fields: UsageFields = new Map();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i], Number(flat[i + 1]));
  return fields;
}
