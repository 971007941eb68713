import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis, RedisOptions } from 'ioredis';
import type { Clock } from '../clock.js';
import { DAY_MS, type UsageDelta, type UsageReader, WINDOW_BUCKETS, bucketOf, dayOf } from '../limits/usage-window.js';
import { AccountLeases } from './account-leases.js';
import { MemoryStateStore } from './memory-state-store.js';
import type { DisabledState, PoolStateStore, StateChange } from './pool-state-store.js';
import { type StateScripts, type SyncReply, defineScripts } from './redis-scripts.js';
import {
  type RedisStateStoreOptions,
  type ResolvedRedisStoreOptions,
  resolveRedisStoreOptions,
} from './redis-store-options.js';
import { decodeChange, decodeDisabledState, encodeChange } from './state-messages.js';
import { UsageSync } from './usage-sync.js';

/** A local write waiting to reach Redis: cooldown ids are `c:<scope>`, disable ids `d:<keyId>`. */
type PendingOp = 'cooldown' | 'clear-cooldown' | 'state';

/**
 * How long an account count read from Redis is trusted by routing in strict mode (a refused acquire saturates it that
 * long).
 */
const STRICT_VIEW_FRESH_MS = 250;

/**
 * A PoolStateStore shared by every replica through Redis.
 *
 * Reads never wait: they come from a local view. Writes apply locally at once, go to Redis in one atomic script
 * each (a later cooldown deadline always wins) and reach the other replicas by pub/sub within milliseconds; a sync
 * tick flushes rate and quota counters in batches and re-reads the whole state, so a lost message is repaired
 * within `syncIntervalMs`. Account in-flight slots are leases in a sorted set that expire unless renewed, so a
 * crashed replica's slots come back by themselves.
 *
 * When Redis fails the pool goes on with the local view and local account counting (no request fails because of
 * Redis): the store emits `store-degraded` once, queues its changes, and when Redis is back replays them (all of
 * its state still in force, when Redis lost its data), re-reads the others' state, re-registers its leases, and
 * emits `store-recovered`.
 */
export class RedisStateStore implements PoolStateStore {
  private readonly options: ResolvedRedisStoreOptions;
  private readonly clock: Clock;
  private readonly local = new MemoryStateStore();
  private readonly counters = new UsageSync();
  private readonly leases: AccountLeases;
  private readonly replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly listeners: Array<(change: StateChange) => void> = [];
  private readonly onlineWaiters: Array<() => void> = [];
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  /** Local writes Redis has not seen yet (made while offline, or whose command failed). */
  private readonly dirty = new Map<string, PendingOp>();
  /** Sequence number of the last local write per id: a sync read sent before it must not undo it. */
  private readonly lastWrite = new Map<string, number>();
  private writes = 0;
  private command: Redis | undefined;
  private subscriber: Redis | undefined;
  private scripts: StateScripts | undefined;
  private isOnline = false;
  private degradedSinceMs: number | undefined;
  private epoch: string | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisStateStoreOptions) {
    this.options = resolveRedisStoreOptions(options);
    this.clock = this.options.clock;
    const strict = this.options.accountConcurrency === 'strict';
    this.leases = new AccountLeases(
      `${this.replicaId}#`,
      strict ? STRICT_VIEW_FRESH_MS : 2 * this.options.syncIntervalMs,
    );
    void this.connect();
  }

  /** True while Redis is reachable and the local view is reconciled with it. */
  get online(): boolean {
    return this.isOnline;
  }

  /** Resolves once the store is online (at once if it is). */
  ready(): Promise<void> {
    return this.isOnline ? Promise.resolve() : new Promise((resolve) => this.onlineWaiters.push(resolve));
  }

  cooldownUntil(scope: string): number {
    return this.local.cooldownUntil(scope);
  }

  /** Deadlines are rounded up to the ms, so every replica holds the same number. */
  cooldown(scope: string, untilMs: number): void {
    const deadline = Math.ceil(untilMs);
    if (deadline <= this.local.cooldownUntil(scope)) return;
    this.local.cooldown(scope, deadline);
    this.push(`c:${scope}`, 'cooldown');
  }

  clearCooldown(scope: string): void {
    this.local.clearCooldown(scope);
    this.push(`c:${scope}`, 'clear-cooldown');
  }

  disabled(keyId: string): DisabledState | undefined {
    return this.local.disabled(keyId);
  }

  disable(keyId: string, state: DisabledState): void {
    this.local.disable(keyId, state);
    this.push(`d:${keyId}`, 'state');
  }

  enable(keyId: string): void {
    this.local.enable(keyId);
    this.push(`d:${keyId}`, 'state');
  }

  accountInFlight(account: string): number {
    return this.leases.estimate(account, this.clock.now());
  }

  tryAcquireAccount(account: string, limit: number): boolean | Promise<boolean> {
    if (!Number.isFinite(limit)) {
      this.leases.takeUnshared(account);
      return true;
    }
    return this.options.accountConcurrency === 'strict' && this.isOnline
      ? this.acquireShared(account, limit)
      : this.acquireLocally(account, limit);
  }

  releaseAccount(account: string): void {
    const id = this.leases.release(account);
    if (id === undefined || !this.isOnline) return;
    this.scripts!.release(this.key(`leases:${account}`), id).then(
      (leases) => this.leases.noteRemote(account, leases, this.clock.now()),
      (error: unknown) => this.markDegraded(error),
    );
  }

  usage(scope: string): UsageReader {
    return this.counters.view(scope);
  }

  addUsage(scope: string, delta: UsageDelta, atMs: number): void {
    this.counters.add(scope, delta, atMs);
  }

  onChange(listener: (change: StateChange) => void): void {
    this.local.onChange(listener);
    this.listeners.push(listener);
  }

  /** Gives this replica's account slots back, stops the timers and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.isOnline) {
      const giveBack = [...this.leases.accounts].map((account) =>
        this.scripts!.renew(this.key(`leases:${account}`), this.leases.idPrefix, this.options.leaseTtlMs, [], []),
      );
      await Promise.allSettled(giveBack);
    }
    this.isOnline = false;
    await Promise.all(
      [this.command, this.subscriber].map((connection) => connection?.quit().catch(() => connection.disconnect())),
    );
    this.listeners.length = 0;
    await this.local.close();
  }

  private key(name: string): string {
    return `${this.options.prefix}${name}`;
  }

  private get channel(): string {
    return this.key('changes');
  }

  private async connect(): Promise<void> {
    const overrides: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: this.options.commandTimeoutMs,
    };
    const input = this.options.redis;
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
    this.command = command;
    this.subscriber = subscriber;
    if (this.closed) {
      command.disconnect();
      subscriber.disconnect();
      return;
    }
    this.scripts = defineScripts(command);
    // The store never keeps the process alive by itself (its timers are unref'd too): a forgotten close() cannot hang
    // an exit.
    for (const connection of [command, subscriber]) connection.on('connect', () => connection.stream.unref());
    command.on('ready', () => void this.exclusive(() => this.reconcile()));
    command.on('error', (error: Error) => this.markDegraded(error));
    command.on('close', () => this.markDegraded(new Error('connection closed')));
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, message: string) => this.apply(message));
    subscriber.on('ready', () => {
      if (this.isOnline) void this.exclusive(() => this.sync());
    });
    subscriber.subscribe(this.channel).catch(() => undefined);
    this.every(this.options.syncIntervalMs, () =>
      this.exclusive(() => (this.isOnline ? this.sync() : this.reconcile())),
    );
    this.every(Math.floor(this.options.leaseTtlMs / 3), () => (this.isOnline ? this.renewLeases() : Promise.resolve()));
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => void task().catch((error: unknown) => this.markDegraded(error)), ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Runs sync and reconcile one at a time. */
  private exclusive(task: () => Promise<void>): Promise<void> {
    if (this.running || this.closed || this.command?.status !== 'ready') return Promise.resolve();
    this.running = task()
      .catch((error: unknown) => this.markDegraded(error))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Brings Redis and the local view together after a start or an outage, then goes online. */
  private async reconcile(): Promise<void> {
    while (this.dirty.size > 0) await this.replay();
    this.isOnline = true;
    await this.sync();
    await this.renewLeases();
    if (!this.isOnline) return;
    if (this.degradedSinceMs !== undefined) {
      const downMs = this.clock.now() - this.degradedSinceMs;
      this.degradedSinceMs = undefined;
      this.notify({ type: 'store-recovered', downMs });
    }
    for (const resolve of this.onlineWaiters.splice(0)) resolve();
  }

  /** One round trip: flush counters, read every replica's counters, account leases, cooldowns and disables. */
  private async sync(): Promise<void> {
    const nowMs = this.clock.now();
    const writesBefore = this.writes;
    const batch = this.counters.begin(nowMs);
    const accounts = [...this.leases.accounts];
    let reply: SyncReply;
    try {
      reply = await this.scripts!.sync({
        usage: batch.map(({ scope, increments }) => ({ key: this.key(`usage:${scope}`), increments })),
        leases: accounts.map((account) => this.key(`leases:${account}`)),
        cooldowns: this.key('cooldowns'),
        disabled: this.key('disabled'),
        epoch: this.key('epoch'),
        oldestBucket: bucketOf(nowMs) - WINDOW_BUCKETS,
        day: dayOf(nowMs),
        usageTtlMs: DAY_MS,
        epochCandidate: randomUUID(),
        epochTtlMs: 7 * DAY_MS,
      });
    } catch (error) {
      this.counters.abort(nowMs);
      throw error;
    }
    const doneMs = this.clock.now();
    this.counters.commit(batch, reply.usage, doneMs);
    accounts.forEach((account, i) => this.leases.noteRemote(account, reply.leases[i], doneMs));
    if (this.epoch !== undefined && reply.epoch !== this.epoch) {
      this.epoch = reply.epoch;
      await this.republishAll();
      return;
    }
    this.epoch = reply.epoch;
    this.adopt(pairs(reply.cooldowns), pairs(reply.disabled), writesBefore);
  }

  /** Redis lost its data (restart without persistence, flush): everything still in force here goes back. */
  private async republishAll(): Promise<void> {
    const nowMs = this.clock.now();
    for (const [scope, untilMs] of this.local.cooldownEntries())
      if (untilMs > nowMs) this.dirty.set(`c:${scope}`, 'cooldown');
    for (const [keyId] of this.local.disabledEntries()) this.dirty.set(`d:${keyId}`, 'state');
    while (this.dirty.size > 0) await this.replay();
    await this.renewLeases();
  }

  /** Makes the local view match what Redis holds, except what was written here after the read was sent. */
  private adopt(cooldowns: Map<string, string>, disabled: Map<string, string>, writesBefore: number): void {
    const nowMs = this.clock.now();
    const untouched = (id: string): boolean => (this.lastWrite.get(id) ?? 0) <= writesBefore;
    for (const [scope, untilMs] of this.local.cooldownEntries()) {
      if (untilMs > nowMs && !cooldowns.has(scope) && untouched(`c:${scope}`)) this.local.clearCooldown(scope);
    }
    for (const [scope, untilMs] of cooldowns) if (Number(untilMs) > nowMs) this.local.cooldown(scope, Number(untilMs));
    for (const [keyId] of this.local.disabledEntries()) {
      if (!disabled.has(keyId) && untouched(`d:${keyId}`)) this.local.enable(keyId);
    }
    for (const [keyId, json] of disabled) {
      const state = decodeDisabledState(json);
      if (state && this.local.disabled(keyId)?.reason !== state.reason && untouched(`d:${keyId}`))
        this.local.disable(keyId, state);
    }
  }

  private async renewLeases(): Promise<void> {
    await Promise.all(
      [...this.leases.accounts].map(async (account) => {
        const { held, acquiring } = this.leases.idsOf(account);
        const leases = await this.scripts!.renew(
          this.key(`leases:${account}`),
          this.leases.idPrefix,
          this.options.leaseTtlMs,
          held,
          acquiring,
        );
        this.leases.noteRemote(account, leases, this.clock.now());
      }),
    );
  }

  private async acquireShared(account: string, limit: number): Promise<boolean> {
    const id = this.leases.begin(account);
    try {
      const result = await this.scripts!.acquire(this.key(`leases:${account}`), limit, id, this.options.leaseTtlMs);
      this.leases.end(account, id, result.granted);
      this.leases.noteRemote(account, result.leases, this.clock.now());
      return result.granted;
    } catch (error) {
      this.leases.end(account, id, false);
      this.markDegraded(error);
      return this.acquireLocally(account, limit);
    }
  }

  /** Takes a slot against the local view; the lease reaches Redis in the background (or at reconciliation). */
  private acquireLocally(account: string, limit: number): boolean {
    if (this.leases.estimate(account, this.clock.now()) >= limit) return false;
    const id = this.leases.begin(account);
    this.leases.end(account, id, true);
    if (this.isOnline) {
      this.scripts!.acquire(this.key(`leases:${account}`), Number.MAX_SAFE_INTEGER, id, this.options.leaseTtlMs).then(
        (result) => this.leases.noteRemote(account, result.leases, this.clock.now()),
        (error: unknown) => this.markDegraded(error),
      );
    }
    return true;
  }

  /** Sends a local write to Redis now, or keeps it for reconciliation while offline. */
  private push(id: string, op: PendingOp): void {
    this.lastWrite.set(id, ++this.writes);
    if (!this.isOnline) {
      this.dirty.set(id, op);
      return;
    }
    this.send(id, op).catch((error: unknown) => {
      this.dirty.set(id, op);
      this.markDegraded(error);
    });
  }

  /** Sends every pending write once; the ones that fail stay pending. */
  private async replay(): Promise<void> {
    const ops = [...this.dirty];
    this.dirty.clear();
    try {
      await Promise.all(ops.map(([id, op]) => this.send(id, op)));
    } catch (error) {
      for (const [id, op] of ops) if (!this.dirty.has(id)) this.dirty.set(id, op);
      throw error;
    }
  }

  /** Writes the local state of one cooldown scope or key to Redis (and publishes it). */
  private async send(id: string, op: PendingOp): Promise<void> {
    const scripts = this.scripts!;
    const name = id.slice(2);
    const nowMs = this.clock.now();
    if (op === 'cooldown') {
      const untilMs = this.local.cooldownUntil(name);
      if (untilMs <= nowMs) return;
      await scripts.cooldown(
        this.key('cooldowns'),
        name,
        untilMs,
        nowMs,
        this.channel,
        this.message({ type: 'cooldown', scope: name, untilMs }),
      );
    } else if (op === 'clear-cooldown') {
      await scripts.deleteField(
        this.key('cooldowns'),
        name,
        this.channel,
        this.message({ type: 'clear-cooldown', scope: name }),
      );
    } else {
      const state = this.local.disabled(name);
      if (state)
        await scripts.disable(
          this.key('disabled'),
          name,
          JSON.stringify(state),
          this.options.disabledTtlMs,
          this.channel,
          this.message({ type: 'disable', keyId: name, state }),
        );
      else
        await scripts.deleteField(
          this.key('disabled'),
          name,
          this.channel,
          this.message({ type: 'enable', keyId: name }),
        );
    }
  }

  private message(change: StateChange): string {
    return encodeChange(this.replicaId, change);
  }

  /** Applies a change another replica published. */
  private apply(message: string): void {
    const change = decodeChange(message, this.replicaId);
    if (change?.type === 'cooldown') this.local.cooldown(change.scope, change.untilMs);
    else if (change?.type === 'clear-cooldown') this.local.clearCooldown(change.scope);
    else if (change?.type === 'disable') this.local.disable(change.keyId, change.state);
    else if (change?.type === 'enable') this.local.enable(change.keyId);
  }

  private markDegraded(error: unknown): void {
    this.isOnline = false;
    if (this.degradedSinceMs !== undefined || this.closed) return;
    this.degradedSinceMs = this.clock.now();
    this.notify({ type: 'store-degraded', error: error instanceof Error ? error.message : String(error) });
  }

  private notify(change: StateChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function isClient(input: ResolvedRedisStoreOptions['redis']): input is Redis {
  return typeof input === 'object' && typeof (input as Partial<Redis>).duplicate === 'function';
}

/** A flat field/value list as a map. */
function pairs(flat: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
  return map;
}
