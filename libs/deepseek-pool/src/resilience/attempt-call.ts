import type { AttemptRecord, UpstreamError } from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import type { CallTrace } from './call-trace.js';
import type { LatencyClass } from './answer-times.js';
import type { AttemptFn, RunOptions } from './attempt-loop.types.js';

/** What one run of the attempt loop carries from step to step. */
export interface Call<T> {
  readonly model: string | undefined;
  readonly options: RunOptions;
  readonly stream: boolean;
  readonly attempt: AttemptFn<T>;
  /** The call's telemetry: each attempt's span. */
  readonly tracer: CallTrace;
  /** The call's own timeout (for its DeadlineExceededError) and the deadline it sets, epoch ms. */
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  /** No waiting for a key past this (epoch ms). */
  readonly waitUntilMs: number;
  /** Keys that failed this call: picked again only when no other is eligible. Added to through `markTried`. */
  tried: ReadonlySet<KeySlot>;
  readonly trace: AttemptRecord[];
  /** Hedge delays are per class: stream or not, model, and the caller's class. */
  readonly latencyClass: LatencyClass;
  /** Only keys it takes are picked (the call's priorities, a continuation's needs); every key when undefined. */
  readonly accepts: ((slot: KeySlot) => boolean) | undefined;
  /** The failure the next attempt follows (a continuation starts with the break it continues). */
  lastError: UpstreamError | undefined;
  /** Waits for a key so far: the step of the next backoff. */
  waits: number;
}

/**
 * The keys tried of a call that has tried none: shared until its first `markTried`, so that the call that succeeds at
 * once (most of them) builds no set (bench/FINDINGS.md, finding 1).
 */
const NONE_TRIED: ReadonlySet<KeySlot> = new Set();

/** Adds `slot` to the keys `call` tried (a new set: a call tries a few keys at most). */
export function markTried(call: Call<unknown>, slot: KeySlot): void {
  call.tried = new Set(call.tried).add(slot);
}

/** The state of a fresh run of `attempt` for `model`, started at `nowMs`. */
export function newCall<T>(
  model: string | undefined,
  options: RunOptions,
  stream: boolean,
  attempt: AttemptFn<T>,
  tracer: CallTrace,
  timing: { nowMs: number; requestTimeoutMs: number; maxWaitForKeyMs: number },
): Call<T> {
  const continuation = options.continuing;
  const timeoutMs = options.timeoutMs ?? timing.requestTimeoutMs;
  const deadlineMs = timing.nowMs + timeoutMs;
  return {
    model,
    options,
    stream,
    attempt,
    tracer,
    timeoutMs,
    deadlineMs,
    waitUntilMs: Math.min(deadlineMs, timing.nowMs + timing.maxWaitForKeyMs),
    tried: continuation?.avoid === undefined ? NONE_TRIED : new Set(continuation.avoid),
    trace: [],
    latencyClass: { stream, model: model ?? '', tokens: options.latencyClass ?? '' },
    accepts: pickable(options.priorities, continuation?.accepts),
    lastError: continuation?.after,
    waits: 0,
  };
}

/**
 * Attempts that count against `maxAttempts`: hedges do not (the hedge budget bounds them), so a hedge never costs a
 * call a retry.
 */
export function attemptsCounted(trace: readonly AttemptRecord[]): number {
  let count = 0;
  for (const record of trace) if (!record.hedge) count++;
  return count;
}

/** True when the call may use the slot's priority (no `priorities`: every priority). */
export function inPriorities(priorities: readonly number[] | undefined, slot: KeySlot): boolean {
  return priorities === undefined || priorities.includes(slot.priority);
}

/** Adds one attempt to the call's trace and to the attempt metric. */
export function recordAttempt(
  call: Call<unknown>,
  metrics: PoolMetricsRecorder | undefined,
  record: AttemptRecord,
): void {
  call.trace.push(record);
  metrics?.attempt({
    keyId: record.keyId,
    model: call.model ?? '',
    outcome: record.outcome,
    ...(record.status === undefined ? {} : { status: record.status }),
    latencyMs: record.latencyMs,
    stream: call.stream,
  });
}

/**
 * The keys a run may pick: those of the call's `priorities` (every key when unset) that the continuation, if any,
 * accepts.
 */
function pickable(
  priorities: readonly number[] | undefined,
  accepts: ((slot: KeySlot) => boolean) | undefined,
): ((slot: KeySlot) => boolean) | undefined {
  if (priorities === undefined) return accepts;
  return (slot) => inPriorities(priorities, slot) && (accepts === undefined || accepts(slot));
}
