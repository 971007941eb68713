import type { AttemptMeta } from '../call.types.js';
import type { KeySlot } from '../keys/key-slot.js';
import { rejection } from '../rejection.js';
import { type Call, newCall } from './attempt-call.js';
import type { AttemptFn, AttemptLoopDeps, RunOptions } from './attempt-loop.types.js';
import { runAttempt } from './attempt-race.js';
import { type CallTrace, NOOP_CALL } from './call-trace.js';
import { pickOrWait } from './pick-or-wait.js';
import { SlotReleases } from './slot-releases.js';

/**
 * The attempt loop: deadline, retry budget, never the same key twice while another is eligible,
 * backoff only while no key is eligible, and classify() deciding what each failure does. Each turn is a
 * pick-or-wait step (pick-or-wait.ts), an attempt step with its hedge (attempt-race.ts), and on a failure the
 * on-failure step (on-failure.ts).
 */
export class AttemptLoop {
  private readonly deps: AttemptLoopDeps & { releases: SlotReleases };

  constructor(deps: AttemptLoopDeps) {
    this.deps = { ...deps, releases: new SlotReleases() };
  }

  /**
   * Runs `attempt` until an answer, or throws why none came. Not an async function: each turn's attempt step resolves
   * through one reaction, in the same microtask turns as an `await`, without an async function's frame per call.
   */
  run<T>(
    model: string | undefined,
    options: RunOptions,
    stream: boolean,
    attempt: AttemptFn<T>,
    tracer: CallTrace = NOOP_CALL,
  ): Promise<{ data: T; meta: AttemptMeta }> {
    const deps = this.deps;
    const nowMs = deps.clock.now();
    const call = newCall(model, options, stream, attempt, tracer, {
      nowMs,
      requestTimeoutMs: deps.requestTimeoutMs,
      maxWaitForKeyMs: deps.maxWaitForKeyMs,
    });
    const continuing = options.continuing !== undefined;
    if (!continuing) {
      deps.budget.recordRequest(nowMs);
      deps.hedging?.recordRequest(nowMs);
    }
    const hedged = !continuing && options.hedge !== false && deps.hedging?.settings.enabled === true;
    return this.turn(call, hedged);
  }

  /** One turn: a pick (or a wait for a key), then the attempt step; a failure starts the next turn. */
  private turn<T>(call: Call<T>, hedged: boolean): Promise<{ data: T; meta: AttemptMeta }> {
    let picking: KeySlot | Promise<KeySlot>;
    try {
      picking = pickOrWait(call, this.deps);
    } catch (error) {
      return rejection(error);
    }
    // No turn between a pick and its attempt when the store answers at once (see pickOrWait).
    if (picking instanceof Promise) return picking.then((slot) => this.attempt(call, slot, hedged));
    return this.attempt(call, picking, hedged);
  }

  private attempt<T>(call: Call<T>, slot: KeySlot, hedged: boolean): Promise<{ data: T; meta: AttemptMeta }> {
    return runAttempt(call, slot, hedged, this.deps).then((result) => {
      if ('data' in result) return result;
      call.lastError = result.error;
      return this.turn(call, hedged);
    });
  }
}
