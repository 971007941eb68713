import type { UsageStore } from '../limits/usage-window.js';
import type { DisableReason } from '../resilience/outcome.js';

/** Why a key is out of rotation until something (prober, operator) brings it back. */
export interface DisabledState {
  /** Why: `revoked` (401), `forbidden` (403), `insufficient-balance` (402), or `manual`. */
  reason: DisableReason | 'manual';
  /** When it was disabled, epoch ms. */
  sinceMs: number;
}

/** A cooldown or disable change, published so other replicas (and observers) can follow. */
export type StateChange =
  | { type: 'cooldown'; scope: string; untilMs: number }
  | { type: 'clear-cooldown'; scope: string }
  | { type: 'disable'; keyId: string; state: DisabledState }
  | { type: 'enable'; keyId: string }
  /** A shared store lost its backend: the pool goes on with this replica's local view. */
  | { type: 'store-degraded'; error: string }
  /** The backend is back and the local view has been reconciled with it. */
  | { type: 'store-recovered'; downMs: number };

/** A change to the state itself (a cooldown or a disable), not a note about the store. */
export type ViewChange = Extract<StateChange, { type: 'cooldown' | 'clear-cooldown' | 'disable' | 'enable' }>;

/**
 * All state that replicas would share. Reads are synchronous (a local view kept current by the store)
 * so routing never waits on I/O; writes apply locally at once and propagate as the store can.
 * Scopes are `key:<id>` or `account:<name>`.
 */
export interface PoolStateStore extends UsageStore {
  /**
   * Starts the store's I/O (connections, timers), when it has any: the pool calls it at module init, before serving.
   * Idempotent. A store does no I/O before it.
   */
  start?(): Promise<void>;
  /** Cooldown deadline (epoch ms) of a scope, or 0 when none. */
  cooldownUntil(scope: string): number;
  /** Sets a cooldown; a later deadline always wins, an earlier one never shortens it. */
  cooldown(scope: string, untilMs: number): void;
  /** Ends a cooldown now (an operator replaced the key, or a probe proved it healthy). */
  clearCooldown(scope: string): void;
  /** Why the key is disabled, or undefined when it is not. */
  disabled(keyId: string): DisabledState | undefined;
  /** Takes the key out of rotation until `enable`. */
  disable(keyId: string, state: DisabledState): void;
  /** Puts a disabled key back in rotation (no-op when it is not disabled). */
  enable(keyId: string): void;
  /** In-flight requests of an account across every process sharing this store (local view). */
  accountInFlight(account: string): number;
  /** Takes one in-flight slot of the account when under `limit`. */
  tryAcquireAccount(account: string, limit: number): boolean | Promise<boolean>;
  /** Gives back one in-flight slot of the account taken by `tryAcquireAccount`. */
  releaseAccount(account: string): void;
  /** Registers a listener for changes made by this or another replica. */
  onChange(listener: (change: StateChange) => void): void;
  /** Stops the store's I/O and timers and drops its listeners. */
  close(): Promise<void>;
}

export const keyScope = (keyId: string): string => `key:${keyId}`;
export const accountScope = (account: string): string => `account:${account}`;
