import { UpstreamError } from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import { failureLatencyMs } from '../keys/peak-ewma.js';
import { rejection } from '../rejection.js';
import type { AttemptFailure } from './call-trace.js';
import { AttemptControl } from './attempt-control.js';
import type { Call } from './attempt-call.js';
import type { AttemptLoopDeps } from './attempt-loop.types.js';
import { classify, isKeyFault } from './classify.js';
import type { SlotReleases } from './slot-releases.js';

/** What sending one attempt takes. */
export type FlightDeps = Pick<AttemptLoopDeps, 'clock' | 'eligibility' | 'attemptTimeoutMs' | 'redactor'> & {
  releases: SlotReleases;
};

/** How an attempt in the air landed: its answer (a stream: its first content), or its failure. */
export type Landing<T> = { flight: Flight; data: T } | { flight: Flight; error: unknown };

/** One attempt in the air: it lands (once) at its answer (a stream: its first content) or its failure. */
export interface Flight {
  readonly slot: KeySlot;
  readonly control: AttemptControl;
  /** Sent as a hedge (not the call's first attempt on this turn). */
  readonly hedge: boolean;
  readonly startMs: number;
  readonly accountInFlightAtSend: number;
  /** It answered (a stream: it committed). */
  answered: boolean;
  /** Aborted because another attempt answered first or the call ended. */
  abandoned: boolean;
  /** Set once the attempt failed. */
  failedWith?: UpstreamError;
  /**
   * Ends the attempt's span (once): a failure before the answer ends it when classified or abandoned, so it carries the
   * action.
   */
  endSpan(failure?: AttemptFailure): void;
}

/**
 * Sends one attempt of `call` to `slot` (whose account place the caller took), in the air until it answers (or
 * commits) or fails: then `onLand` gets its landing (`error`: an UpstreamError, or a local failure as thrown, see
 * AttemptControl.failure). The key stays busy until the attempt settles: then its in-flight count and account place are
 * released and waiters for a key woken. A committed stream that breaks later costs its key a latency penalty; a local
 * failure never touches the key.
 */
export function launchFlight<T>(
  call: Call<T>,
  slot: KeySlot,
  hedge: boolean,
  deps: FlightDeps,
  onLand: (landing: Landing<T>) => void,
): Flight {
  const { clock, eligibility } = deps;
  const span = call.tracer.attempt(slot, call.options.continuing !== undefined);
  const startMs = clock.now();
  const control = new AttemptControl(
    clock,
    call.options.signal,
    Math.min(startMs + deps.attemptTimeoutMs, call.deadlineMs),
    call.deadlineMs,
    deps.redactor,
    span,
  );
  let spanOpen = true;
  const endSpan = (failure?: AttemptFailure): void => {
    if (spanOpen) span.end(failure);
    spanOpen = false;
  };
  const accountInFlightAtSend = eligibility.store.accountInFlight(slot.config.account);
  slot.inFlight += 1;
  let landedYet = false;
  const flight: Flight = {
    slot,
    control,
    hedge,
    startMs,
    accountInFlightAtSend,
    answered: false,
    abandoned: false,
    endSpan,
  };
  // The first answer (a stream: its commit) or failure lands the flight; anything after it is not a landing.
  const answer = (data: T): void => {
    if (landedYet) return;
    landedYet = true;
    flight.answered = true;
    span.answered();
    onLand({ flight, data });
  };
  const fail = (thrown: unknown): void => {
    if (landedYet) return;
    landedYet = true;
    onLand({ flight, error: control.failure(thrown, slot.id) });
  };
  const release = (): void => {
    control.dispose();
    slot.inFlight -= 1;
    eligibility.store.releaseAccount(slot.config.account);
    deps.releases.notify();
  };
  start(call, slot, control, answer).then(
    (settled) => {
      release();
      endSpan();
      // Settled without an answer: it committed one (then this is a no-op), else it broke its contract.
      if (settled === undefined) fail(new Error(`The attempt on key ${slot.id} settled without an answer`));
      else answer(settled);
    },
    (thrown: unknown) => {
      const error = control.failure(thrown, slot.id);
      release();
      fail(thrown);
      if (!(error instanceof UpstreamError)) {
        // A local failure is not the key's: no penalty; the loop hands it back to the caller as thrown.
        endSpan();
        return;
      }
      flight.failedWith = error;
      if (flight.answered) {
        // A committed stream that breaks later counts against its key's latency too (its breaker saw the failure):
        // a penalty from the key's own estimate, not the stream's length.
        if (isKeyFault(error)) slot.latency.observe(failureLatencyMs(0, slot.latency.value));
        endSpan({ error });
      } else if (flight.abandoned) endSpan({ error, action: classify(error.outcome) });
    },
  );
  return flight;
}

/**
 * Runs the attempt under the key's breaker, settling when the attempt ends; `commit` takes a stream's answer at its
 * commit. Failures reach the breaker already classified, so timeouts, resets and empty bodies count against the key
 * (and local failures, left as thrown, never do).
 */
function start<T>(call: Call<T>, slot: KeySlot, control: AttemptControl, commit: (answer: T) => void) {
  const failed = (thrown: unknown): never => {
    throw control.failure(thrown, slot.id);
  };
  // A reaction, not an async wrapper: the same microtask turns without an async function's frame per attempt.
  return slot.breaker.run(() => {
    try {
      return call.attempt(slot, control, commit).then(undefined, failed);
    } catch (thrown) {
      return rejection(control.failure(thrown, slot.id));
    }
  });
}
