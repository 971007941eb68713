import type { Rng } from '../../clock.js';

/** How often each key runs: every `intervalMs * (1 ± jitter)`. */
export interface ScheduleTiming {
  intervalMs: number;
  jitter: number;
  rng: Rng;
}

/** What a schedule runs, and on which keys. */
export interface ScheduleHooks {
  /** The current key ids: keys added at run time join, removed ones leave. */
  keyIds(): readonly string[];
  /** One run for one key; `signal` aborts when the schedule stops. */
  run(id: string, signal: AbortSignal): Promise<void>;
  /** A run threw (it should not): reported, and the key stays scheduled. */
  onError(id: string, error: unknown): void;
  /** A key left the pool: drop what is kept for it. */
  forget?(id: string): void;
}

/** A wait of `intervalMs * (1 ± jitter)`, uniform over the rng draw. */
export function jitteredDelayMs({ intervalMs, jitter, rng }: ScheduleTiming): number {
  return intervalMs * (1 + jitter * (2 * rng() - 1));
}

/**
 * One unref'd timer per key, re-armed only once the key's run has settled: at most one run in flight per key.
 * Not on the request path. `stop()` clears every timer, aborts the runs and waits for them; it is final.
 */
export class KeySchedule {
  /** Per key: its pending timer, or its run in flight. */
  private readonly slots = new Map<string, ReturnType<typeof setTimeout> | Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly timing: ScheduleTiming,
    private readonly hooks: ScheduleHooks,
  ) {}

  /** Arms a timer for every key. */
  start(): void {
    for (const id of this.hooks.keyIds()) this.arm(id);
  }

  /** Runs every key now (a key whose run is in flight is awaited, not run twice); the schedule then goes on. */
  async runNow(): Promise<void> {
    await Promise.all(this.hooks.keyIds().map((id) => this.fire(id)));
  }

  /** Clears every timer, aborts the runs in flight and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const inFlight: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      if (slot instanceof Promise) inFlight.push(slot);
      else clearTimeout(slot);
    }
    this.slots.clear();
    await Promise.all(inFlight);
  }

  private arm(id: string): void {
    if (this.stopping.signal.aborted) return;
    // fire() hands a run's failure to onError; what reaches here is onError's own failure, reported the same way
    const timer = setTimeout(() => {
      this.fire(id).catch((error: unknown) => this.hooks.onError(id, error));
    }, jitteredDelayMs(this.timing));
    timer.unref();
    this.slots.set(id, timer);
  }

  private fire(id: string): Promise<void> {
    const slot = this.slots.get(id);
    if (slot instanceof Promise) return slot;
    if (this.stopping.signal.aborted) return Promise.resolve();
    clearTimeout(slot);
    const ids = this.hooks.keyIds();
    if (!ids.includes(id)) {
      this.slots.delete(id);
      this.hooks.forget?.(id);
      return Promise.resolve();
    }
    const run = this.hooks
      .run(id, this.stopping.signal)
      .catch((error: unknown) => this.hooks.onError(id, error))
      .finally(() => {
        this.slots.delete(id);
        this.arm(id);
      });
    this.slots.set(id, run);
    for (const other of ids) if (!this.slots.has(other)) this.arm(other);
    return run;
  }
}
