import { EventEmitter } from 'node:events';
import type { ThresholdCrossing } from './limits/quota-thresholds.js';
import type { ContinuationRecord, HedgeSkip } from './call.types.js';
import type { DisableReason } from './resilience/outcome.js';

/** Events for observers (logs, metrics, alerts). Never relied on for correctness. No payload holds a secret. */
export interface PoolEventMap {
  /** A key left rotation until enabled again: 401/402/403 upstream, or by hand (`manual`). */
  'key.disabled': [{ keyId: string; reason: DisableReason | 'manual' }];
  /** A disabled or cooling key is back in rotation: by hand (`enableKey`, `replaceKey`) or after a probe. */
  'key.enabled': [{ keyId: string }];
  /**
   * A scope (`key:<id>` or `account:<name>`) rests after a 429 until `untilMs` (epoch ms); `consecutive`: 429s in a
   * row.
   */
  'key.cooldown': [{ scope: string; untilMs: number; consecutive: number }];
  /** A key's breaker opened: the key gets no calls until its reset timeout. */
  'breaker.open': [{ keyId: string }];
  /** A key's breaker lets trial calls through. */
  'breaker.half-open': [{ keyId: string }];
  /** A key's breaker closed again: the key is back in rotation. */
  'breaker.close': [{ keyId: string }];
  /**
   * A call goes on to another attempt after `fromKeyId` failed; `attempt`: attempts made so far; `reason`: the
   * failure's kind.
   */
  retry: [{ fromKeyId: string; attempt: number; reason: string }];
  /**
   * A stream that broke after content went on from another key (`offset`: characters of content received at the break).
   */
  'stream.continued': [ContinuationRecord];
  /** A hedge was sent to `keyId`: `fromKeyId` had not answered after `afterMs` (the hedge delay). */
  hedge: [{ fromKeyId: string; keyId: string; afterMs: number }];
  /** The hedge delay passed but no hedge was sent (see HedgeSkip). */
  'hedge.skipped': [{ keyId: string; reason: HedgeSkip }];
  /** A hedge race was decided: `keyId` answered first, `loserKeyId` was aborted (not counted as its failure). */
  'hedge.won': [{ keyId: string; loserKeyId: string; winner: 'hedge' | 'primary' }];
  /** A key's or account's usage reached 70, 85 or 95% of a limit (once per threshold per window). */
  'quota.threshold': [ThresholdCrossing];
  /** The shared state store lost its backend (Redis): this replica goes on with its local view. */
  'store.degraded': [{ error: string }];
  /** The shared state store is back and reconciled. */
  'store.recovered': [{ downMs: number }];
}

/** A pool event's name, e.g. `key.disabled`. */
export type PoolEventName = keyof PoolEventMap;

/** A typed EventEmitter for pool events. */
export class PoolEvents extends EventEmitter<PoolEventMap> {}
