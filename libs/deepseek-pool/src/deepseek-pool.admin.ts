import { Inject, Injectable } from '@nestjs/common';
import type { PoolCore } from './core/pool-core.js';
import { POOL_CORE } from './core/pool-core.token.js';
import type { ExportedKey, ManualDisableReason } from './core/pool-keys.js';
import type { KeyOptions } from './keys/key-config.js';
import type { KeySnapshot } from './pool-snapshot.js';

export type { ExportedKey, ManualDisableReason } from './core/pool-keys.js';

/**
 * Key administration of the pool at run time (operator actions): add, remove, rotate, disable, enable, export.
 * Provided by DeepSeekPoolModule next to DeepSeekPoolService. Every method taking an id throws DeepSeekPoolError
 * `UNKNOWN_KEY` for an unknown one; no method returns or logs a secret.
 */
@Injectable()
export class DeepSeekPoolAdmin {
  constructor(@Inject(POOL_CORE) private readonly core: PoolCore) {}

  /** Adds a key at run time (validated like start-up options: throws InvalidOptionsError). */
  addKey(options: KeyOptions | string): KeySnapshot {
    const [added] = this.addKeys([options]);
    return added;
  }

  /** Adds several keys at once: all are validated first (InvalidOptionsError), so a bad entry adds none. */
  addKeys(list: ReadonlyArray<KeyOptions | string>): KeySnapshot[] {
    return this.core.keys.addKeys(list);
  }

  /** Stops routing to a key, waits for its in-flight requests (up to `drainTimeoutMs`, default 30 s), removes it. */
  removeKey(id: string, drainTimeoutMs = 30_000): Promise<void> {
    return this.core.keys.removeKey(id, drainTimeoutMs);
  }

  /** Rotates a key's secret without restart: same id and settings, fresh breaker, cleared state. */
  replaceKey(id: string, apiKey: string): KeySnapshot {
    return this.core.keys.replaceKey(id, apiKey);
  }

  /** Takes a key out of rotation until `enableKey` (default reason `manual`). */
  disableKey(id: string, reason: ManualDisableReason = 'manual'): void {
    this.core.keys.disableKey(id, reason);
  }

  /** Puts a disabled or cooling key back into rotation now: clears its disable and its cooldown. */
  enableKey(id: string): void {
    this.core.keys.enableKey(id);
  }

  /** Every key's settings without its secret: what it takes to recreate the pool, plus the masked key. */
  exportKeys(): ExportedKey[] {
    return this.core.keys.exportKeys();
  }
}
