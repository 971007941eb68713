import type { MemoryStateStore } from './memory-state-store.js';
import type { DisabledState, ViewChange } from './pool-state-store.js';
import { decodeDisabledState } from './state-messages.js';

/** Where local writes are tracked: `c:<scope>` for a cooldown, `d:<keyId>` for a disable. */
export const cooldownId = (scope: string): string => `c:${scope}`;
export const disabledId = (keyId: string): string => `d:${keyId}`;

/** The local view and what a sync read from Redis, to be merged. */
export interface MergeInput {
  /** Local cooldown deadlines by scope (expired ones too). */
  local: {
    cooldowns: ReadonlyArray<readonly [scope: string, untilMs: number]>;
    disabled: ReadonlyMap<string, DisabledState>;
  };
  /** Redis's cooldowns hash (deadlines as strings) and disabled hash (states as JSON). */
  remote: { cooldowns: ReadonlyMap<string, string>; disabled: ReadonlyMap<string, string> };
  nowMs: number;
  /** False for an id written here after the read was sent: the read must not undo that write. */
  untouched: (id: string) => boolean;
}

/**
 * The changes that make the local view match Redis, except what was written here after the read was sent:
 * cooldowns Redis no longer holds end, later remote deadlines win, keys Redis does not hold as disabled come back,
 * and remote disables whose reason differs are taken (a malformed remote state is ignored).
 */
export function mergeRemoteState({ local, remote, nowMs, untouched }: MergeInput): ViewChange[] {
  const changes: ViewChange[] = [];
  const localUntil = new Map(local.cooldowns);
  for (const [scope, untilMs] of local.cooldowns) {
    if (untilMs > nowMs && !remote.cooldowns.has(scope) && untouched(cooldownId(scope)))
      changes.push({ type: 'clear-cooldown', scope });
  }
  for (const [scope, value] of remote.cooldowns) {
    const untilMs = Number(value);
    if (untilMs > nowMs && untilMs > (localUntil.get(scope) ?? 0)) changes.push({ type: 'cooldown', scope, untilMs });
  }
  for (const keyId of local.disabled.keys()) {
    if (!remote.disabled.has(keyId) && untouched(disabledId(keyId))) changes.push({ type: 'enable', keyId });
  }
  for (const [keyId, json] of remote.disabled) {
    const state = decodeDisabledState(json);
    if (state && local.disabled.get(keyId)?.reason !== state.reason && untouched(disabledId(keyId)))
      changes.push({ type: 'disable', keyId, state });
  }
  return changes;
}

/** A flat field/value list (HGETALL) as a map; a trailing odd field is dropped. */
export function pairs(flat: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
  return map;
}

/** Applies a change to the local view (its listeners hear it). */
export function applyToView(view: MemoryStateStore, change: ViewChange): void {
  if (change.type === 'cooldown') view.cooldown(change.scope, change.untilMs);
  else if (change.type === 'clear-cooldown') view.clearCooldown(change.scope);
  else if (change.type === 'disable') view.disable(change.keyId, change.state);
  else view.enable(change.keyId);
}
