import { DeadlineExceededError, RequestAbortedError, UpstreamError } from '../deepseek-pool.errors.js';
import { failureLatencyMs } from '../keys/peak-ewma.js';
import type { AttemptControl } from './attempt-control.js';
import { type Call, markTried, recordAttempt } from './attempt-call.js';
import type { AttemptLoopDeps } from './attempt-loop.types.js';
import { classify } from './classify.js';
import type { Flight } from './flight.js';
import { applyAction } from './outcome-actions.js';

/** What handling a failed attempt takes. */
export type FailureDeps = Pick<AttemptLoopDeps, 'clock' | 'actions' | 'events' | 'metrics'>;

/** What the on-failure step reads of the attempt that failed (a Flight is one). */
export type FailedFlight = Pick<Flight, 'slot' | 'hedge' | 'startMs' | 'accountInFlightAtSend' | 'endSpan'> & {
  readonly control: Pick<AttemptControl, 'callerDeadlinePassed'>;
};

/**
 * The on-failure step: records the failed attempt of `flight` and applies what classify() says. Returns the failure
 * when the call moves on to another key (the key is then `tried`); throws when the call ends here: the caller
 * aborted or its deadline passed, the caller's own fault (back with the attempts), or a local failure (as thrown,
 * the key untouched).
 */
export function onFailure(call: Call<unknown>, flight: FailedFlight, error: unknown, deps: FailureDeps): UpstreamError {
  const { slot, control } = flight;
  const latencyMs = deps.clock.now() - flight.startMs;
  if (!(error instanceof UpstreamError)) {
    // This process failed (a bug, a memory guard): back to the caller as thrown, no retry, the key untouched.
    flight.endSpan();
    recordAttempt(call, deps.metrics, { keyId: slot.id, outcome: 'local', latencyMs });
    throw error;
  }
  recordAttempt(call, deps.metrics, {
    keyId: slot.id,
    outcome: error.outcome.kind,
    status: error.status,
    latencyMs,
    ...(flight.hedge ? { hedge: true as const } : {}),
  });
  const action = classify(error.outcome);
  if (action.type === 'breaker-failure') slot.latency.observe(failureLatencyMs(latencyMs, slot.latency.value));
  if (action.type !== 'abort' && action.type !== 'return' && action.type !== 'local-failure')
    applyAction(action, slot, deps.actions, flight.accountInFlightAtSend);
  flight.endSpan({ error, action });
  if (action.type === 'abort') {
    if (control.callerDeadlinePassed) throw new DeadlineExceededError(call.timeoutMs, call.trace);
    throw new RequestAbortedError(call.trace);
  }
  if (action.type === 'return' || action.type === 'local-failure')
    throw new UpstreamError(error.message, error.outcome, error.keyId, error.body, call.trace);
  markTried(call, slot);
  // The call moves on to another key: a retry, or the hedge still in the air.
  deps.events.emit('retry', { fromKeyId: slot.id, attempt: call.trace.length, reason: error.outcome.kind });
  deps.metrics?.retry(slot.id, error.outcome.kind);
  return error;
}
