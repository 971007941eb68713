import { EventEmitter } from 'node:events';
import type { DisableReason } from './resilience/outcome.js';

/** Events for observers (logs, metrics, alerts). Never relied on for correctness. No payload holds a secret. */
export interface PoolEventMap {
  'key.disabled': [{ keyId: string; reason: DisableReason | 'manual' }];
  'key.enabled': [{ keyId: string }];
  'key.cooldown': [{ scope: string; untilMs: number; consecutive: number }];
  'breaker.open': [{ keyId: string }];
  'breaker.half-open': [{ keyId: string }];
  'breaker.close': [{ keyId: string }];
  retry: [{ fromKeyId: string; attempt: number; reason: string }];
}

export type PoolEventName = keyof PoolEventMap;

/** A typed EventEmitter for pool events. */
export class PoolEvents extends EventEmitter<PoolEventMap> {}
