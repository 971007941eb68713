import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { BreakerPolicy } from './breaker-policy.js';
import type { BreakerState } from './key-breaker.js';
import type { KeyConfig } from './key-config.js';
import { KeySlot } from './key-slot.js';

/**
 * The live key set. One shared bucket-rotation timer drives every breaker's rolling window
 * (opossum's rotateBucketController), so the pool holds one timer however many keys it has.
 */
export class KeyRegistry {
  private readonly slots = new Map<string, KeySlot>();
  private readonly rotateBuckets = new EventEmitter();
  private readonly rotateTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly latencyDecayMs: number,
    private readonly clock: Clock,
    private readonly onBreakerChange: (slot: KeySlot, state: BreakerState) => void,
  ) {
    this.rotateBuckets.setMaxListeners(0);
    this.rotateTimer = setInterval(() => this.rotateBuckets.emit('rotate'), policy.windowMs / policy.buckets);
    this.rotateTimer.unref();
  }

  get all(): KeySlot[] {
    return [...this.slots.values()];
  }

  get(id: string): KeySlot | undefined {
    return this.slots.get(id);
  }

  /** Adds a key; returns its slot. */
  add(config: KeyConfig): KeySlot {
    const slot = new KeySlot(config, this.policy, this.rotateBuckets, this.latencyDecayMs, this.clock, (s, state) => {
      if (state === 'open') s.openedAtMs = this.clock.now();
      this.onBreakerChange(s, state);
    });
    this.slots.set(config.id, slot);
    return slot;
  }

  /** Removes a key at once (callers drain first) and stops its breaker. */
  remove(id: string): void {
    this.slots.get(id)?.breaker.shutdown();
    this.slots.delete(id);
  }

  /** Stops every breaker and the shared timer. */
  shutdown(): void {
    clearInterval(this.rotateTimer);
    for (const slot of this.slots.values()) slot.breaker.shutdown();
    this.rotateBuckets.removeAllListeners();
  }
}
