import type { MemoryStateStore } from './memory-state-store.js';
import type { StateChange } from './pool-state-store.js';
import type { StateScripts } from './redis-scripts.js';
import type { StoreKeys } from './store-keys.js';
import type { PendingOp } from './write-behind.js';

/** What writing the local state of one id to Redis needs. */
export interface WriteContext {
  scripts: StateScripts;
  keys: StoreKeys;
  view: MemoryStateStore;
  disabledTtlMs: number;
  nowMs: number;
  /** The pub/sub message announcing a change. */
  message: (change: StateChange) => string;
}

/**
 * Writes the local state of one cooldown scope (`c:<scope>`) or key (`d:<keyId>`) to Redis, atomically with its
 * pub/sub message: a cooldown still in force, a cleared cooldown, a disabled state or its absence.
 */
export async function writeToRedis(ctx: WriteContext, id: string, op: PendingOp): Promise<void> {
  const { scripts, keys, view, nowMs } = ctx;
  const name = id.slice(2);
  if (op === 'cooldown') {
    const untilMs = view.cooldownUntil(name);
    if (untilMs <= nowMs) return;
    const message = ctx.message({ type: 'cooldown', scope: name, untilMs });
    await scripts.cooldown(keys.cooldowns, name, untilMs, nowMs, keys.channel, message);
  } else if (op === 'clear-cooldown') {
    await scripts.deleteField(keys.cooldowns, name, keys.channel, ctx.message({ type: 'clear-cooldown', scope: name }));
  } else {
    const state = view.disabled(name);
    if (state) {
      const message = ctx.message({ type: 'disable', keyId: name, state });
      await scripts.disable(keys.disabled, name, JSON.stringify(state), ctx.disabledTtlMs, keys.channel, message);
    } else {
      await scripts.deleteField(keys.disabled, name, keys.channel, ctx.message({ type: 'enable', keyId: name }));
    }
  }
}
