import type { ChatCompletionChunk, ChatCompletionRequest } from '../chat.types.js';
import type { Clock } from '../clock.js';
import {
  type AttemptRecord,
  DeepSeekPoolError,
  RequestAbortedError,
  StreamInterruptedError,
  UpstreamError,
} from '../deepseek-pool.errors.js';
import type { PoolEvents } from '../deepseek-pool.events.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { PoolMetricsRecorder } from '../metrics/metrics-recorder.js';
import type { AttemptMeta } from '../call.types.js';
import type { AttemptLoop } from '../resilience/attempt-loop.js';
import type { AttemptFn, CallOptions } from '../resilience/attempt-loop.types.js';
import type { CallTrace } from '../resilience/call-trace.js';
import type { ChunkChannel } from './chunk-channel.js';
import type { Resume } from './continued-channel.js';
import type { NotContinuedReason } from '../deepseek-pool.errors.js';
import type { ContinuationMode } from '../keys/continuation-mode.js';
import {
  brokenCallUsage,
  canContinue,
  continuationBaseUrl,
  continuationRequest,
  planContinuation,
} from './continuation-plan.js';

/** Stream continuation settings of the pool (`continuation` option). */
export interface ContinuationSettings {
  /** Continue streams that break after content. Default true; a call can turn it off. */
  enabled: boolean;
  /** Continuations per stream at most. Default 2. */
  maxAttempts: number;
}

export interface StreamContinuationDeps {
  loop: AttemptLoop;
  slots: () => readonly KeySlot[];
  settings: ContinuationSettings;
  charsPerToken: number;
  clock: Clock;
  events: PoolEvents;
  metrics?: PoolMetricsRecorder;
  /** The pool's streaming attempt for `request`, sent to the base URL `baseUrlOf` gives for the key. */
  attempt: (
    request: ChatCompletionRequest,
    baseUrlOf: (slot: KeySlot) => string,
  ) => AttemptFn<ChunkChannel<ChatCompletionChunk>>;
}

/** One stream call, as its continuations need it. */
export interface StreamCall {
  request: ChatCompletionRequest;
  /** The caller's signal (stream cancellation included) and affinity. */
  options: CallOptions & { signal: AbortSignal };
  /** Continuation on for this call (pool and call options). */
  enabled: boolean;
  deadlineMs: number;
  /** The stream's meta: continuations are added to its trace and `continuations`. */
  meta: AttemptMeta;
  /** The stream's span: continuation attempts are its children. */
  trace?: CallTrace;
}

/**
 * The Resume of one stream: when its current call breaks after content, decides (planContinuation) and, if it may,
 * continues on another key that can (never the key that broke; another account first), with the text the caller
 * received as the prefix, within
 * the call's deadline and the retry budget. Records the continuation in the meta, an event and a metric; otherwise
 * throws the StreamInterruptedError the caller gets (RequestAbortedError if the caller left).
 */
export function streamResumer(deps: StreamContinuationDeps, call: StreamCall): Resume {
  const { request, options, meta } = call;
  /** What the current call was sent and where its text starts: a break is counted from them. */
  let sent = request;
  let start = { content: 0, reasoning: 0 };
  return async (failure, received) => {
    if (!(failure instanceof UpstreamError)) throw failure;
    const plan = planContinuation({
      request,
      received,
      outcome: failure.outcome,
      enabled: call.enabled,
      callerAborted: options.signal.aborted,
      done: meta.continuations?.length ?? 0,
      maxAttempts: deps.settings.maxAttempts,
      remainingMs: call.deadlineMs - deps.clock.now(),
    });
    if (plan === 'complete') return 'complete';
    if (plan === 'aborted') throw new RequestAbortedError(meta.trace);
    if (plan !== 'continue') throw notContinued(deps, call, failure, plan);
    // Another key than the one that broke, that can continue this stream; keys of the broken key's account come last.
    const accepts = (slot: KeySlot): boolean =>
      slot.id !== failure.keyId && canContinue(slot.config, slot.upstreamModel(request.model), received);
    const slots = deps.slots();
    if (!slots.some((slot) => slot.serves(request.model) && accepts(slot)))
      throw notContinued(deps, call, failure, 'no-capable-key');
    const brokenAccount = slots.find((slot) => slot.id === failure.keyId)?.config.account;
    const bodies = new Map<ContinuationMode, ChatCompletionRequest>();
    const bodyFor = (mode: ContinuationMode): ChatCompletionRequest => {
      let body = bodies.get(mode);
      if (!body) bodies.set(mode, (body = continuationRequest(request, received, mode, deps.charsPerToken)));
      return body;
    };
    const modeOf = (slot: KeySlot) => slot.config.continuation as ContinuationMode;
    let result: { data: ChunkChannel<ChatCompletionChunk>; meta: AttemptMeta };
    try {
      result = await deps.loop.run(
        request.model,
        {
          ...options,
          timeoutMs: call.deadlineMs - deps.clock.now(),
          continuing: { after: failure, avoid: slots.filter((slot) => slot.config.account === brokenAccount), accepts },
        },
        true,
        (slot, control, commit) =>
          deps.attempt(bodyFor(modeOf(slot)), (s) => continuationBaseUrl(s.config.baseUrl, modeOf(s)))(
            slot,
            control,
            commit,
          ),
        call.trace,
      );
    } catch (error) {
      if (error instanceof RequestAbortedError) throw error;
      meta.trace.push(...markContinuation(error instanceof DeepSeekPoolError ? error.attempts : []));
      throw notContinued(deps, call, failure, 'continuation-failed', error);
    }
    meta.trace.push(...markContinuation(result.meta.trace));
    meta.attempts = meta.trace.length;
    const record = {
      keyId: result.meta.keyId,
      fromKeyId: failure.keyId,
      offset: received.content.length,
      reasoningOffset: received.reasoning.length,
      reason: failure.outcome.kind,
    };
    (meta.continuations ??= []).push(record);
    deps.events.emit('stream.continued', record);
    deps.metrics?.continuation?.({ model: request.model, fromKeyId: failure.keyId, outcome: 'continued' });
    const produced = {
      content: received.content.slice(start.content),
      reasoning: received.reasoning.slice(start.reasoning),
    };
    const brokenUsage = brokenCallUsage(sent, produced, deps.charsPerToken);
    const continuing = slots.find((slot) => slot.id === result.meta.keyId);
    sent = continuing ? bodyFor(modeOf(continuing)) : sent;
    start = { content: received.content.length, reasoning: received.reasoning.length };
    return { source: result.data, brokenUsage };
  };
}

/** The attempts of a continuation run, marked as such for the stream's trace. */
function markContinuation(trace: readonly AttemptRecord[]): AttemptRecord[] {
  return trace.map((record) => ({ ...record, continuation: true }));
}

function notContinued(
  deps: StreamContinuationDeps,
  call: StreamCall,
  failure: UpstreamError,
  reason: NotContinuedReason,
  cause?: unknown,
): StreamInterruptedError {
  deps.metrics?.continuation?.({ model: call.request.model, fromKeyId: failure.keyId, outcome: reason });
  const why = cause instanceof Error ? `${reason}: ${cause.message}` : reason;
  return new StreamInterruptedError(
    `The stream from key ${failure.keyId} broke after content was sent: ${failure.message} (not continued: ${why})`,
    failure.keyId,
    failure.outcome,
    call.meta.trace,
    reason,
  );
}
