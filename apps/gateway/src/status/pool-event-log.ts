import { Injectable } from '@nestjs/common';
import { DeepSeekPoolService, type PoolEventMap, type PoolEventName } from 'nestjs-deepseek-pool';
import { EventRing } from './event-ring.js';

/**
 * One pool event as the status page shows it: a sequence number, when, which event and its payload (never a secret).
 */
export interface PoolEventRecord {
  seq: number;
  atMs: number;
  type: PoolEventName;
  data: PoolEventMap[PoolEventName][0];
}

/** Events kept for the status page. */
export const EVENT_LOG_CAPACITY = 50;

const WATCHED: readonly PoolEventName[] = [
  'key.disabled',
  'key.enabled',
  'key.cooldown',
  'breaker.open',
  'breaker.half-open',
  'breaker.close',
  'retry',
  'stream.continued',
];

/** The latest pool events (a ring of EVENT_LOG_CAPACITY), recorded from `DeepSeekPoolService.events`. */
@Injectable()
export class PoolEventLog {
  private readonly ring = new EventRing<PoolEventRecord>(EVENT_LOG_CAPACITY);
  private seq = 0;

  constructor(pool: DeepSeekPoolService) {
    for (const type of WATCHED)
      pool.events.on(type, (data: PoolEventMap[PoolEventName][0]) =>
        this.ring.push({ seq: ++this.seq, atMs: Date.now(), type, data }),
      );
  }

  /**
   * Recorded events with a sequence number above `afterSeq`, oldest first; all of them when `afterSeq` is from before a
   * restart.
   */
  since(afterSeq = 0): PoolEventRecord[] {
    const from = afterSeq > this.seq ? 0 : afterSeq;
    return this.ring.toArray().filter((event) => event.seq > from);
  }
}
