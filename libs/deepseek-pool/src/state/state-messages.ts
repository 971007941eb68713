import type { DisabledState, StateChange, ViewChange } from './pool-state-store.js';

/** The pub/sub message of a change: the publishing replica and the change. */
export function encodeChange(replicaId: string, change: StateChange): string {
  return JSON.stringify({ o: replicaId, c: change });
}

/** The change in a message, unless it is malformed or was published by `selfId`. Never throws. */
export function decodeChange(message: string, selfId: string): ViewChange | undefined {
  const parsed = parse(message);
  if (!isRecord(parsed) || parsed.o === selfId || !isRecord(parsed.c)) return undefined;
  const c = parsed.c;
  if (c.type === 'cooldown' && typeof c.scope === 'string' && typeof c.untilMs === 'number')
    return { type: 'cooldown', scope: c.scope, untilMs: c.untilMs };
  if (c.type === 'clear-cooldown' && typeof c.scope === 'string') return { type: 'clear-cooldown', scope: c.scope };
  if (c.type === 'enable' && typeof c.keyId === 'string') return { type: 'enable', keyId: c.keyId };
  if (c.type === 'disable' && typeof c.keyId === 'string') {
    const state = decodeDisabledState(c.state);
    return state && { type: 'disable', keyId: c.keyId, state };
  }
  return undefined;
}

/** A disabled state read from Redis (a JSON string) or a message (an object); undefined when malformed. */
export function decodeDisabledState(value: unknown): DisabledState | undefined {
  const state = typeof value === 'string' ? parse(value) : value;
  if (!isRecord(state) || typeof state.reason !== 'string' || typeof state.sinceMs !== 'number') return undefined;
  return { reason: state.reason as DisabledState['reason'], sinceMs: state.sinceMs };
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
