/** What came back from one upstream attempt, as far as the pool's decisions care. */
export type Outcome =
  /** A non-2xx upstream answer; `message` is the upstream `error.message`. */
  | { kind: 'http'; status: number; retryAfterMs?: number; message?: string }
  /** A deadline fired before the phase completed. */
  | { kind: 'timeout'; phase: 'first-byte' | 'first-content' | 'idle' | 'total' }
  /** The connection failed: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, EPIPE... */
  | { kind: 'network'; code?: string }
  /** HTTP 200 whose body was only blank lines / keep-alives, then closed. */
  | { kind: 'empty-body' }
  /** Unparseable JSON, stream cut, error event mid-stream. */
  | { kind: 'protocol'; detail: string }
  /** The caller aborted (or stopped reading past its bound): never the key's fault. */
  | { kind: 'aborted' }
  /**
   * This process failed, not the upstream (a bug, a body that cannot be serialized, a memory guard): never the key's
   * fault.
   */
  | { kind: 'local'; detail: string };

/** Whom a penalty applies to: the key alone, or every key of its account. */
export type Scope = 'key' | 'account';

/** Why a key (or account) is taken out of rotation until it recovers. */
export type DisableReason = 'revoked' | 'forbidden' | 'insufficient-balance';

/** What the attempt loop does with an outcome. */
export type Action =
  /** Caller's fault: back to the caller, no retry, key untouched. */
  | { type: 'return' }
  /** Take the key (or account) out of rotation; retry on another key now. */
  | { type: 'disable'; reason: DisableReason; scope: Scope }
  /** Rate limited: cool the key down (Retry-After as a floor); retry on another key now. */
  | { type: 'cooldown'; scope: Scope; floorMs?: number }
  /**
   * DeepSeek's concurrency 429: the account is full, not rate limited. Keep its in-flight under the stated `limit`,
   * less what others hold of it (`current`: its upstream count); callers wait for a slot; pause it briefly without
   * growing cooldowns; retry on another key now.
   */
  | { type: 'saturated'; limit: number; current?: number; floorMs?: number }
  /** Counts against the key's breaker; retry elsewhere. */
  | { type: 'breaker-failure' }
  /** Stop: no retry, no penalty. */
  | { type: 'abort' }
  /** A local failure: back to the caller as it was thrown, no retry, key untouched. */
  | { type: 'local-failure' };
