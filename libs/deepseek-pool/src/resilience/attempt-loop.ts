import type { AttemptMeta } from '../call.types.js';
import { newCall } from './attempt-call.js';
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

  async run<T>(
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
    for (;;) {
      // No await between a pick and its attempt when the store answers at once (see pickOrWait).
      const picking = pickOrWait(call, deps);
      const slot = picking instanceof Promise ? await picking : picking;
      const result = await runAttempt(call, slot, hedged, deps);
      if ('data' in result) return result;
      call.lastError = result.error;
    }
  }
}
