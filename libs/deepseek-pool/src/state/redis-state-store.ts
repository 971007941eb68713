import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { errorMessage } from '../deepseek-pool.errors.js';
import type { UsageDelta, UsageReader } from '../limits/usage-window.js';
import { AccountLeases } from './account-leases.js';
import { MemoryStateStore } from './memory-state-store.js';
import { applyToView, cooldownId, disabledId, mergeRemoteState, pairs } from './merge-remote-state.js';
import type { DisabledState, PoolStateStore, StateChange } from './pool-state-store.js';
import { type RedisLink, closeLink, openLink } from './redis-connection.js';
import type { StateScripts } from './redis-scripts.js';
import {
  type RedisStateStoreOptions,
  type ResolvedRedisStoreOptions,
  resolveRedisStoreOptions,
} from './redis-store-options.js';
import { writeToRedis } from './redis-writes.js';
import { SharedLeases } from './shared-leases.js';
import { listenForChanges } from './state-channel.js';
import { encodeChange } from './state-messages.js';
import { type StoreKeys, storeKeys } from './store-keys.js';
import { syncRequest } from './sync-request.js';
import { UsageSync } from './usage-sync.js';
import { type PendingOp, WriteBehind } from './write-behind.js';

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
 * The constructor does no I/O: the store connects at `start()` (the pool calls it at module init; `ready()` calls it
 * too). Until then, and whenever Redis fails, the pool goes on with the local view and local account counting (no
 * request fails because of Redis): the store emits `store-degraded` once, queues its changes, and when Redis is back
 * replays them (all of its state still in force, when Redis lost its data), re-reads the others' state,
 * re-registers its leases, and emits `store-recovered`.
 */
export class RedisStateStore implements PoolStateStore {
  private readonly options: ResolvedRedisStoreOptions;
  private readonly clock: Clock;
  private readonly keys: StoreKeys;
  private readonly local = new MemoryStateStore();
  private readonly counters = new UsageSync();
  private readonly leases: SharedLeases;
  private readonly writes: WriteBehind;
  private readonly replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly listeners: Array<(change: StateChange) => void> = [];
  private readonly onlineWaiters: Array<() => void> = [];
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private link: RedisLink | undefined;
  private started: Promise<void> | undefined;
  private isOnline = false;
  private degradedSinceMs: number | undefined;
  private epoch: string | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisStateStoreOptions) {
    this.options = resolveRedisStoreOptions(options);
    this.clock = this.options.clock;
    this.keys = storeKeys(this.options.prefix);
    const strict = this.options.accountConcurrency === 'strict';
    const freshMs = strict ? STRICT_VIEW_FRESH_MS : 2 * this.options.syncIntervalMs;
    this.leases = new SharedLeases(new AccountLeases(`${this.replicaId}#`, freshMs), {
      keys: this.keys,
      leaseTtlMs: this.options.leaseTtlMs,
      clock: this.clock,
      onFailure: (error) => this.markDegraded(error),
    });
    this.writes = new WriteBehind(
      (id, op) => this.send(id, op),
      (error) => this.markDegraded(error),
    );
  }

  /**
   * Connects to Redis and starts the sync and lease timers; idempotent (the pool calls it at module init). Resolves
   * once the connections are opened, not once online (see `ready`); rejects when ioredis cannot be loaded.
   */
  start(): Promise<void> {
    this.started ??= this.connect();
    return this.started;
  }

  /** True while Redis is reachable and the local view is reconciled with it. */
  get online(): boolean {
    return this.isOnline;
  }

  /** Starts the store if needed and resolves once it is online (at once if it is). */
  async ready(): Promise<void> {
    if (this.isOnline) return;
    const online = new Promise<void>((resolve) => this.onlineWaiters.push(resolve));
    await this.start();
    await online;
  }

  /** Cooldown deadline of a scope, epoch ms, or 0 when none (local view, no I/O). */
  cooldownUntil(scope: string): number {
    return this.local.cooldownUntil(scope);
  }

  /** Deadlines are rounded up to the ms, so every replica holds the same number. */
  cooldown(scope: string, untilMs: number): void {
    const deadline = Math.ceil(untilMs);
    if (deadline <= this.local.cooldownUntil(scope)) return;
    this.local.cooldown(scope, deadline);
    this.writes.push(cooldownId(scope), 'cooldown', this.isOnline);
  }

  /** Ends a cooldown now, here at once and on every replica through Redis. */
  clearCooldown(scope: string): void {
    this.local.clearCooldown(scope);
    this.writes.push(cooldownId(scope), 'clear-cooldown', this.isOnline);
  }

  /** Why the key is disabled, or undefined when it is not (local view, no I/O). */
  disabled(keyId: string): DisabledState | undefined {
    return this.local.disabled(keyId);
  }

  /** Takes the key out of rotation, here at once and on every replica through Redis, until `enable`. */
  disable(keyId: string, state: DisabledState): void {
    this.local.disable(keyId, state);
    this.writes.push(disabledId(keyId), 'state', this.isOnline);
  }

  /** Puts a disabled key back in rotation, here at once and on every replica through Redis. */
  enable(keyId: string): void {
    this.local.enable(keyId);
    this.writes.push(disabledId(keyId), 'state', this.isOnline);
  }

  /** In-flight requests of the account across replicas (local estimate of the shared leases). */
  accountInFlight(account: string): number {
    return this.leases.local.estimate(account, this.clock.now());
  }

  /**
   * Takes one in-flight slot of the account when under `limit`; `accountConcurrency: 'strict'` asks Redis while online.
   */
  tryAcquireAccount(account: string, limit: number): boolean | Promise<boolean> {
    if (!Number.isFinite(limit)) {
      this.leases.local.takeUnshared(account);
      return true;
    }
    const scripts = this.onlineScripts();
    return this.options.accountConcurrency === 'strict' && scripts
      ? this.leases.acquire(account, limit, scripts)
      : this.leases.acquireLocally(account, limit, scripts);
  }

  /** Gives back one in-flight slot of the account. */
  releaseAccount(account: string): void {
    this.leases.release(account, this.onlineScripts());
  }

  /** The scope's rate and quota counters across replicas (local view, flushed and re-read every `syncIntervalMs`). */
  usage(scope: string): UsageReader {
    return this.counters.view(scope);
  }

  /**
   * Adds to the scope's counters at `atMs` (epoch ms), sent to Redis in the next batch; a negative delta corrects an
   * estimate.
   */
  addUsage(scope: string, delta: UsageDelta, atMs: number): void {
    this.counters.add(scope, delta, atMs);
  }

  /** Registers a listener for changes made by this or another replica, and for `store-degraded` / `store-recovered`. */
  onChange(listener: (change: StateChange) => void): void {
    this.local.onChange(listener);
    this.listeners.push(listener);
  }

  /** Gives this replica's account slots back, stops the timers and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    const scripts = this.onlineScripts();
    if (scripts) await this.leases.giveBack(scripts);
    this.isOnline = false;
    if (this.link) await closeLink(this.link);
    this.listeners.length = 0;
    await this.local.close();
  }

  /** The scripts while the store is online; undefined while it is not (local counting only). */
  private onlineScripts(): StateScripts | undefined {
    return this.isOnline ? this.link?.scripts : undefined;
  }

  private async connect(): Promise<void> {
    const link = await openLink(this.options.redis, this.options.commandTimeoutMs);
    this.link = link;
    if (this.closed) {
      link.command.disconnect();
      link.subscriber.disconnect();
      return;
    }
    const { command, subscriber } = link;
    command.on('ready', () => this.exclusive(() => this.reconcile()));
    command.on('error', (error: Error) => this.markDegraded(error));
    command.on('close', () => this.markDegraded(new Error('connection closed')));
    listenForChanges(subscriber, this.keys.channel, this.replicaId, {
      onChange: (change) => applyToView(this.local, change),
      onReady: () => {
        if (this.isOnline) this.exclusive(() => this.sync(link.scripts));
      },
    });
    this.every(this.options.syncIntervalMs, () =>
      this.exclusive(() => (this.isOnline ? this.sync(link.scripts) : this.reconcile())),
    );
    this.every(Math.floor(this.options.leaseTtlMs / 3), () => {
      const scripts = this.onlineScripts();
      if (scripts) this.leases.renew(scripts).catch((error: unknown) => this.markDegraded(error));
    });
  }

  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Runs sync and reconcile one at a time, in the background (a failure marks the store degraded). */
  private exclusive(task: () => Promise<void>): void {
    if (this.running || this.closed || this.link?.command.status !== 'ready') return;
    this.running = task()
      .catch((error: unknown) => this.markDegraded(error))
      .finally(() => (this.running = undefined));
  }

  /** Brings Redis and the local view together after a start or an outage, then goes online. */
  private async reconcile(): Promise<void> {
    const link = this.link;
    if (!link) return;
    await this.writes.flush();
    this.isOnline = true;
    await this.sync(link.scripts);
    await this.leases.renew(link.scripts);
    if (!this.online) return; // Redis failed again meanwhile
    if (this.degradedSinceMs !== undefined) {
      const downMs = this.clock.now() - this.degradedSinceMs;
      this.degradedSinceMs = undefined;
      this.notify({ type: 'store-recovered', downMs });
    }
    for (const resolve of this.onlineWaiters.splice(0)) resolve();
  }

  /** One round trip: flush counters, read every replica's counters, account leases, cooldowns and disables. */
  private async sync(scripts: StateScripts): Promise<void> {
    const nowMs = this.clock.now();
    const writesBefore = this.writes.sequence;
    const batch = this.counters.begin(nowMs);
    const accounts = [...this.leases.local.accounts];
    const reply = await scripts
      .sync(syncRequest(this.keys, batch, accounts, nowMs, randomUUID()))
      .catch((error: unknown) => {
        this.counters.abort(nowMs);
        throw error;
      });
    const doneMs = this.clock.now();
    this.counters.commit(batch, reply.usage, doneMs);
    accounts.forEach((account, i) => this.leases.local.noteRemote(account, reply.leases[i], doneMs));
    if (this.epoch !== undefined && reply.epoch !== this.epoch) {
      this.epoch = reply.epoch;
      await this.republishAll(scripts);
      return;
    }
    this.epoch = reply.epoch;
    const merge = mergeRemoteState({
      local: { cooldowns: this.local.cooldownEntries(), disabled: new Map(this.local.disabledEntries()) },
      remote: { cooldowns: pairs(reply.cooldowns), disabled: pairs(reply.disabled) },
      nowMs: this.clock.now(),
      untouched: this.writes.untouchedSince(writesBefore),
    });
    for (const change of merge) applyToView(this.local, change);
  }

  /** Redis lost its data (restart without persistence, flush): everything still in force here goes back. */
  private async republishAll(scripts: StateScripts): Promise<void> {
    const nowMs = this.clock.now();
    for (const [scope, untilMs] of this.local.cooldownEntries())
      if (untilMs > nowMs) this.writes.keep(cooldownId(scope), 'cooldown');
    for (const [keyId] of this.local.disabledEntries()) this.writes.keep(disabledId(keyId), 'state');
    await this.writes.flush();
    await this.leases.renew(scripts);
  }

  /** Writes one id's local state to Redis (and publishes it); only called once connected. */
  private async send(id: string, op: PendingOp): Promise<void> {
    const link = this.link;
    if (!link) throw new Error('RedisStateStore: not connected');
    await writeToRedis(
      {
        scripts: link.scripts,
        keys: this.keys,
        view: this.local,
        disabledTtlMs: this.options.disabledTtlMs,
        nowMs: this.clock.now(),
        message: (change) => encodeChange(this.replicaId, change),
      },
      id,
      op,
    );
  }

  private markDegraded(error: unknown): void {
    this.isOnline = false;
    if (this.degradedSinceMs !== undefined || this.closed) return;
    this.degradedSinceMs = this.clock.now();
    this.notify({ type: 'store-degraded', error: errorMessage(error) });
  }

  private notify(change: StateChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
