import type { LoggerService } from '@nestjs/common';
import { errorMessage } from '../../deepseek-pool.errors.js';
import { KeySchedule, type ScheduleTiming } from './key-schedule.js';

/** A health task run on each key of the pool on its own timer (the prober, synthetic traffic). */
export interface KeyTask {
  /** What a run is, for the log line of a run that throws: "Probe of key", "Synthetic completion on key". */
  readonly name: string;
  /** One run on key `id`; `signal` aborts when the schedule stops. */
  run(id: string, signal: AbortSignal): Promise<void>;
  /** Key `id` left the pool: drop what is kept for it. */
  forget(id: string): void;
}

/**
 * The schedule of `task` over the pool's keys as they are at each run (keys added at run time join, removed ones
 * leave and are forgotten): one run per key every `timing` interval. A run that throws (it should not) is logged as
 * `<name> <id> failed: <message>` and the key stays scheduled.
 */
export function poolKeySchedule(
  pool: { snapshot(): { readonly keys: ReadonlyArray<{ readonly id: string }> } },
  timing: ScheduleTiming,
  task: KeyTask,
  logger: LoggerService | undefined,
): KeySchedule {
  return new KeySchedule(timing, {
    keyIds: () => pool.snapshot().keys.map((key) => key.id),
    run: (id, signal) => task.run(id, signal),
    onError: (id, error) => {
      logger?.warn(`${task.name} ${id} failed: ${errorMessage(error)}`);
    },
    forget: (id) => task.forget(id),
  });
}
