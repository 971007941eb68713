import type { AttemptMeta } from '../call.types.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ModelList, Usage } from '../chat.types.js';
import type { ResolvedPoolOptions } from '../deepseek-pool.options.js';
import { attemptsOf } from '../deepseek-pool.errors.js';
import { rejection } from '../rejection.js';
import type { KeySlot } from '../keys/key-slot.js';
import { estimateTokens } from '../limits/token-estimate.js';
import type { UsageMeter } from '../limits/usage-meter.js';
import { validateChatRequest } from '../request-validation.js';
import type { AttemptLoop } from '../resilience/attempt-loop.js';
import type { AttemptFn, CallOptions } from '../resilience/attempt-loop.types.js';
import { maxTokensClass } from '../resilience/hedge-policy.js';
import type { ChunkChannel } from '../streaming/chunk-channel.js';
import { ContinuedChannel } from '../streaming/continued-channel.js';
import { PoolStream } from '../streaming/pool-stream.js';
import { type StreamContinuationDeps, streamResumer } from '../streaming/stream-continuation.js';
import { exchangeStream } from '../streaming/stream-exchange.js';
import type { CallTrace, CallTracer } from '../resilience/call-trace.js';
import { type ChatBody, serializeChatBody } from '../transport/chat-body.js';
import { readJsonBody } from '../transport/json-body.js';
import type { Transport } from '../transport/transport.js';
import { type ChatAnswer, exchangeChat, openExchange } from '../transport/upstream-exchange.js';
import type { PoolResult, StreamOptions } from './call-types.js';
import type { PoolKeys } from './pool-keys.js';

/** What the calls work with, built once by `createPoolCore`. */
export interface PoolCallsDeps {
  loop: AttemptLoop;
  keys: PoolKeys;
  meter: UsageMeter;
  transport: Transport;
  /** The pool's options (validated, defaults applied). */
  settings: ResolvedPoolOptions;
  /** The tracer in use now (a no-op until OpenTelemetry is wired). */
  tracer: () => CallTracer;
  continuation: Omit<StreamContinuationDeps, 'loop' | 'slots' | 'attempt'>;
}

/**
 * The pool's calls through its keys, without degradation: chat, stream, model list. Each is validated, metered,
 * traced and recorded in the metrics.
 */
export class PoolCalls {
  private readonly continuation: StreamContinuationDeps;

  constructor(private readonly deps: PoolCallsDeps) {
    this.continuation = {
      ...deps.continuation,
      loop: deps.loop,
      slots: () => deps.keys.slots,
      attempt: (request, baseUrlOf) => this.streamAttempt(request, baseUrlOf),
    };
  }

  /** A new span for one call (a no-op until OpenTelemetry is wired). */
  trace(request: ChatCompletionRequest, stream: boolean): CallTrace {
    return this.deps.tracer().call(request, stream);
  }

  /** One chat completion through the keys; throws InvalidRequestError before any upstream call for a bad request. */
  chat(request: ChatCompletionRequest, options: CallOptions = {}): Promise<PoolResult<ChatCompletion>> {
    let body: ChatBody;
    let trace: CallTrace;
    try {
      validateChatRequest(request);
      body = serializeChatBody(request, false);
      trace = this.trace(request, false);
    } catch (error) {
      return rejection(error);
    }
    return this.chatTraced(request, options, trace, body);
  }

  /**
   * One chat completion through the keys of a validated `request` serialized as `body`, traced as `call`. Not an async
   * function: the answer comes through one reaction, in the same microtask turns, without an async function's frame.
   */
  chatTraced(
    request: ChatCompletionRequest,
    options: CallOptions,
    call: CallTrace,
    body: ChatBody,
  ): Promise<PoolResult<ChatCompletion>> {
    const { settings, loop, meter, transport } = this.deps;
    const startedMs = settings.clock.now();
    let running: Promise<{ data: ChatAnswer; meta: AttemptMeta }>;
    try {
      const estimate = this.estimator(request);
      running = loop.run(
        request.model,
        this.runOptions(request, options),
        false,
        (slot, control) =>
          meter.track(
            slot,
            estimate,
            () => exchangeChat(transport, slot, control, settings, { model: request.model, body }, settings.clock),
            (answer) => answer.completion.usage,
          ),
        call,
      );
    } catch (error) {
      running = rejection(error);
    }
    return running.then(
      ({ meta, data: answer }) => {
        call.answered(meta, answer.completion);
        if (answer.completion.usage)
          this.recordUsage(this.deps.keys.find(meta.keyId), request.model, answer.completion.usage);
        this.recordRequest(request.model, 'success', meta.attempts, startedMs, false);
        return { data: answer.completion, meta, bodyText: answer.text };
      },
      (error: unknown) => {
        call.failed(error);
        this.recordRequest(request.model, 'error', attemptsOf(error).length, startedMs, false);
        throw error;
      },
    );
  }

  /**
   * A streamed chat completion through the keys: fails over until the first content chunk; after it, a break is
   * continued on another key that can, else the stream ends with a typed error. Throws InvalidRequestError at once
   * for a bad request.
   */
  stream(request: ChatCompletionRequest, options: StreamOptions = {}): PoolStream {
    validateChatRequest(request);
    const { settings, loop } = this.deps;
    const body = serializeChatBody(request, true);
    return new PoolStream(async (signal) => {
      const startedMs = settings.clock.now();
      const { continuation, ...callOptions } = options;
      const call = { ...this.runOptions(request, callOptions), signal };
      const trace = this.trace(request, true);
      const { data: channel, meta } = await loop
        .run(
          request.model,
          call,
          true,
          this.streamAttempt(request, (slot) => slot.config.baseUrl, body),
          trace,
        )
        .catch((error: unknown) => {
          trace.failed(error);
          this.recordRequest(request.model, 'error', attemptsOf(error).length, startedMs, true);
          throw error;
        });
      trace.answered(meta);
      this.recordRequest(request.model, 'success', meta.attempts, startedMs, true);
      const resume = streamResumer(this.continuation, {
        request,
        options: call,
        trace,
        enabled: settings.continuation.enabled && continuation?.enabled !== false,
        deadlineMs: startedMs + (options.timeoutMs ?? settings.timeouts.requestMs),
        meta,
      });
      return { channel: trace.source(new ContinuedChannel(channel, resume)), meta };
    }, options.signal);
  }

  /** The upstream model list, from any key that can answer. */
  listModels(options: CallOptions = {}): Promise<PoolResult<ModelList>> {
    const { settings, loop, transport } = this.deps;
    return loop.run(undefined, options, false, async (slot, control) => {
      const response = await openExchange(
        transport,
        slot,
        control,
        settings.timeouts.firstByteMs,
        { method: 'GET', path: '/models' },
        settings.clock,
      );
      control.arm('total');
      // The upstream body unchanged, whatever its shape; only a well-formed list teaches model labels.
      const list = (await readJsonBody(
        response.body,
        undefined,
        settings.limits.maxResponseBytes,
      )) as Partial<ModelList> | null;
      if (Array.isArray(list?.data))
        settings.modelLabels.learn(list.data.map((model) => model.id).filter((id) => typeof id === 'string'));
      return list as ModelList;
    });
  }

  /**
   * One streaming attempt of `request` on a key, sent to `baseUrlOf(slot)`: metered, its usage recorded. `body` is
   * the request serialized once for every key (done here unless the caller did it before).
   */
  private streamAttempt(
    request: ChatCompletionRequest,
    baseUrlOf: (slot: KeySlot) => string,
    body = serializeChatBody(request, true),
  ): AttemptFn<ChunkChannel<ChatCompletionChunk>> {
    const { settings, meter, transport } = this.deps;
    const estimate = this.estimator(request);
    return (slot, control, commit) => {
      const reservation = meter.reserve(slot, estimate);
      let committed = false;
      const onCommit = (committedChannel: ChunkChannel<ChatCompletionChunk>): void => {
        committed = true;
        commit(committedChannel);
      };
      const onUsage = (usage: Usage): void => {
        meter.settle(reservation, usage.total_tokens);
        this.recordUsage(slot, request.model, usage);
      };
      return exchangeStream(
        transport,
        slot,
        control,
        settings,
        { model: request.model, body },
        settings.clock,
        onCommit,
        onUsage,
        baseUrlOf(slot),
      ).catch((error: unknown) => {
        if (!committed) meter.settle(reservation, 0);
        throw error;
      });
    };
  }

  /** The token estimate of `request` for rate and quota limits, computed once and only if a key has limits. */
  private estimator(request: ChatCompletionRequest): () => number {
    let tokens: number | undefined;
    return () => (tokens ??= estimateTokens(request, this.deps.settings.tokenEstimate));
  }

  /**
   * The call's options as the loop runs them: with the affinity key the pool's `affinity` option finds in the request
   * (a call's own key wins) and the request's latency class (its `max_tokens` class: hedge delays are per class).
   */
  private runOptions<T extends CallOptions>(request: ChatCompletionRequest, options: T): T & { latencyClass: string } {
    const affinityKey = options.affinityKey ?? this.deps.settings.affinity?.(request);
    const latencyClass = maxTokensClass(typeof request.max_tokens === 'number' ? request.max_tokens : undefined);
    return affinityKey === undefined ? { ...options, latencyClass } : { ...options, affinityKey, latencyClass };
  }

  private recordUsage(slot: KeySlot | undefined, model: string, usage: Usage): void {
    if (!slot) return;
    slot.recordUsage(usage);
    this.deps.settings.metrics?.usage(slot.id, model, usage);
  }

  private recordRequest(
    model: string,
    outcome: 'success' | 'error',
    attempts: number,
    startedMs: number,
    stream: boolean,
  ): void {
    this.deps.settings.metrics?.request({
      model,
      outcome,
      attempts,
      latencyMs: this.deps.settings.clock.now() - startedMs,
      stream,
    });
  }
}
