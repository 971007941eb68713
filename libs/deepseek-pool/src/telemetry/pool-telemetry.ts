import type { Attributes, Context, MeterProvider, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage } from '../chat.types.js';
import type { Clock } from '../clock.js';
import { errorMessage } from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { PoolSnapshot } from '../pool-snapshot.js';
import type { AttemptMeta, ChunkSource } from '../call.types.js';
import { ContentCapture, appendDelta } from './content-capture.js';
import {
  ATTR,
  type ResponseSummary,
  attemptErrorType,
  callErrorType,
  requestAttributes,
  responseAttributes,
  serverAttributes,
  summarize,
} from './gen-ai-attributes.js';
import type { OtelApiModule } from './otel-api.js';
import { PoolInstruments } from './pool-instruments.js';
import type { ResolvedTelemetryOptions } from './telemetry-options.js';
import {
  type AttemptFailure,
  type AttemptTrace,
  type CallTrace,
  type CallTracer,
  NOOP_CALL,
} from '../resilience/call-trace.js';

/** A key's attributes: on spans, and the part metrics use. */
interface KeyAttributes {
  span: Attributes;
  provider: string;
  server: Attributes;
}

export const INSTRUMENTATION_SCOPE = 'nestjs-deepseek-pool';
/** `gen_ai.provider.name` of a call no key has served yet (each key declares its own, default `deepseek`). */
const DEFAULT_PROVIDER = 'deepseek';

/** What the telemetry reads from the pool. */
export interface TelemetryContext {
  clock: Clock;
  /** Removes every configured secret from a text the telemetry exports. */
  redact: (text: string) => string;
  /** Epoch ms when the key (or its account) leaves its cooldown. */
  cooldownEnd: (slot: KeySlot) => number;
  /** The pool's state, read by the gauges at collection time. */
  snapshot: () => PoolSnapshot;
}

/**
 * Spans and metrics of pool calls through `@opentelemetry/api`, following the GenAI client conventions: one span per
 * call (`chat {model}`, internal) and a client span per upstream attempt beneath it. Without the API or with
 * `telemetry: false` the pool uses NOOP_CALL and pays nothing.
 */
export class PoolTelemetry implements CallTracer {
  private readonly tracer: Tracer;
  /** Per key, built once: id, account, provider, server address and port. */
  private readonly keys = new WeakMap<KeySlot, KeyAttributes>();
  readonly instruments: PoolInstruments;
  readonly capture: ContentCapture | undefined;
  /** False when no meter provider was set: the instruments are the API's no-op ones. */
  private readonly metered: boolean;
  /** True while the global tracer provider has no SDK behind it (undefined when that cannot be told). */
  private readonly unregistered: (() => boolean) | undefined;

  constructor(
    readonly api: OtelApiModule,
    readonly options: ResolvedTelemetryOptions,
    readonly ctx: TelemetryContext,
  ) {
    const meter = ((options.meterProvider as MeterProvider | undefined) ?? api.metrics.getMeterProvider()).getMeter(
      INSTRUMENTATION_SCOPE,
    );
    this.instruments = new PoolInstruments(meter, ctx.snapshot);
    this.metered = meter !== api.createNoopMeter();
    const tracerProvider = (options.tracerProvider as TracerProvider | undefined) ?? api.trace.getTracerProvider();
    this.tracer = tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
    this.unregistered = unregisteredCheck(api, tracerProvider);
    this.capture = options.captureContent ? new ContentCapture(ctx.redact, options.maxContentChars) : undefined;
  }

  /** A traced call; NOOP_CALL when nothing would be recorded (no SDK, or not sampled and no meter provider). */
  call(request: ChatCompletionRequest, stream: boolean): CallTrace {
    // No SDK registered and no meter: every span would be non-recording, so none is started (no clock reading, no
    // context lookup, no span object): the API without an SDK costs a call one check (bench/FINDINGS.md, finding 1).
    if (!this.metered && this.unregistered?.() === true) return NOOP_CALL;
    const startedMs = this.ctx.clock.now();
    const parent = this.api.context.active();
    const span = this.startSpan(`chat ${request.model}`, 'internal', parent, startedMs);
    if (!span.isRecording() && !this.metered) return NOOP_CALL;
    return new OtelCall(this, span, parent, startedMs, request, stream);
  }

  close(): void {
    this.instruments.close();
  }

  startSpan(name: string, kind: 'internal' | 'client', parent: Context, startMs: number): Span {
    const spanKind = kind === 'client' ? this.api.SpanKind.CLIENT : this.api.SpanKind.INTERNAL;
    return this.tracer.startSpan(name, { kind: spanKind, startTime: startMs }, parent);
  }

  /** Marks a span failed with `error.type` and the redacted message. */
  fail(span: Span, errorType: string, message: string): void {
    span.setAttribute(ATTR.errorType, errorType);
    span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: this.ctx.redact(message) });
  }

  keyAttributes(slot: KeySlot): KeyAttributes {
    let attributes = this.keys.get(slot);
    if (!attributes) {
      const { id, account, provider, baseUrl } = slot.config;
      const server = serverAttributes(baseUrl);
      attributes = {
        span: { [ATTR.keyId]: id, [ATTR.account]: account, [ATTR.provider]: provider, ...server },
        provider,
        server,
      };
      this.keys.set(slot, attributes);
    }
    return attributes;
  }

  /** `traceparent` (and `tracestate`) of a span, unless the key or the pool keeps trace context from its upstream. */
  traceHeaders(span: Span, slot: KeySlot): Record<string, string> {
    const context = span.spanContext();
    if (!(slot.config.traceContext ?? this.options.traceContext) || !this.api.isSpanContextValid(context)) return {};
    const headers: Record<string, string> = {
      traceparent: `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & 1).toString(16)}`,
    };
    const state = context.traceState?.serialize();
    if (state) headers.tracestate = state;
    return headers;
  }
}

/**
 * A check of whether `provider` is the API's global tracer provider with no SDK registered behind it yet (its delegate
 * is then the API's no-op provider, whose spans never record); undefined when it cannot be told: a provider given in
 * the options, or an API without `ProxyTracerProvider`, which the API deprecates for its next major version. Every
 * call then starts its span, as before.
 */
function unregisteredCheck(api: OtelApiModule, provider: TracerProvider): (() => boolean) | undefined {
  const ProxyProvider = (api as Partial<OtelApiModule>).ProxyTracerProvider;
  if (ProxyProvider === undefined || !(provider instanceof ProxyProvider)) return undefined;
  const noop = new ProxyProvider().getDelegate();
  return () => provider.getDelegate() === noop;
}

class OtelCall implements CallTrace {
  private readonly parent: Context;
  readonly requestAttributes: Attributes;
  /**
   * The answer as the caller got it: the completion, or every chunk a stream's caller read (continuations spliced in).
   */
  private readonly summary: ResponseSummary = { finishReasons: [] };
  /** The output, when content is captured: the completion's messages, or a stream's assembled from its chunks. */
  private messages: Array<ChatMessage | undefined> | undefined;
  private serving: OtelAttempt | undefined;
  private attempts = 0;
  private meta: AttemptMeta | undefined;
  private firstContentMs: number | undefined;
  private ended = false;
  /** Set while `track` runs: failures wait for the degradation tiers. */
  private tracking = false;

  constructor(
    private readonly telemetry: PoolTelemetry,
    private readonly span: Span,
    callerContext: Context,
    private readonly startedMs: number,
    readonly request: ChatCompletionRequest,
    readonly stream: boolean,
  ) {
    const { api, capture } = telemetry;
    this.requestAttributes = requestAttributes(request, stream);
    if (span.isRecording()) {
      span.setAttributes({ ...this.requestAttributes, [ATTR.provider]: DEFAULT_PROVIDER });
      if (capture) span.setAttribute(ATTR.inputMessages, capture.input(request.messages));
    }
    this.parent = api.trace.setSpan(callerContext, span);
  }

  attempt(slot: KeySlot, continued: boolean): AttemptTrace {
    return new OtelAttempt(this.telemetry, this, slot, ++this.attempts, continued);
  }

  /** Told by an attempt that it answered: it serves this call (a continuation takes over from the key that broke). */
  serves(attempt: OtelAttempt, nowMs: number): void {
    this.serving = attempt;
    if (this.stream) this.firstContentMs ??= nowMs;
  }

  answered(meta: AttemptMeta, answer?: ChatCompletion): void {
    this.meta = meta;
    if (answer) {
      summarize(this.summary, answer);
      if (this.telemetry.capture) this.messages = answer.choices.map((choice) => choice.message);
    }
    if (!this.stream) this.finish();
  }

  failed(error: unknown): void {
    if (!this.tracking) this.finish(error);
  }

  track<T extends { meta: AttemptMeta; data: ChatCompletion }>(run: () => Promise<T>): Promise<T> {
    this.tracking = true;
    return this.telemetry.api.context.with(this.parent, run).then(
      (result) => {
        this.tracking = false;
        this.answered(result.meta, result.data);
        return result;
      },
      (error: unknown) => {
        this.tracking = false;
        this.failed(error);
        throw error;
      },
    );
  }

  source(source: ChunkSource): ChunkSource {
    if (this.telemetry.capture) this.messages = [];
    return {
      next: async () => {
        let next: IteratorResult<ChatCompletionChunk>;
        try {
          next = await source.next();
        } catch (error) {
          this.finish(error);
          throw error;
        }
        if (next.done) this.finish();
        else this.observe(next.value);
        return next;
      },
      return: () => {
        this.finish();
        return source.return();
      },
    };
  }

  get parentContext(): Context {
    return this.parent;
  }

  private observe(chunk: ChatCompletionChunk): void {
    summarize(this.summary, chunk);
    if (this.messages === undefined) return;
    // an upstream chunk may lack what its type promises: read as it came
    for (const { index, delta } of chunk.choices as Array<Partial<ChatCompletionChunk['choices'][number]>>) {
      if (delta) appendDelta(this.messages, index ?? 0, delta, this.telemetry.options.maxContentChars);
    }
  }

  private finish(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const { ctx, instruments, capture } = this.telemetry;
    const nowMs = ctx.clock.now();
    const { summary, serving, meta } = this;
    const attributes = responseAttributes(summary);
    attributes[ATTR.provider] = serving?.key.provider ?? DEFAULT_PROVIDER;
    if (serving) Object.assign(attributes, serving.key.span);
    if (this.firstContentMs !== undefined)
      attributes[ATTR.timeToFirstChunk] = (this.firstContentMs - this.startedMs) / 1000;
    if (meta) {
      attributes[ATTR.attempts] = meta.attempts;
      if (meta.degraded) attributes[ATTR.degraded] = meta.degraded;
    }
    if (capture && this.messages && this.span.isRecording())
      attributes[ATTR.outputMessages] = capture.output(this.messages, summary.finishReasons);
    const metricAttributes: Attributes = {
      [ATTR.operation]: 'chat',
      [ATTR.requestModel]: this.request.model,
      [ATTR.provider]: attributes[ATTR.provider],
    };
    if (summary.model !== undefined) metricAttributes[ATTR.responseModel] = summary.model;
    if (serving) Object.assign(metricAttributes, serving.key.server);
    if (error !== undefined) {
      const errorType = callErrorType(error);
      metricAttributes[ATTR.errorType] = errorType;
      this.telemetry.fail(this.span, errorType, errorMessage(error));
    }
    this.span.setAttributes(attributes);
    this.span.end(nowMs);
    // A degraded answer's tokens were counted by the pool call that made them (a cached one cost none).
    const usage = meta?.degraded ? undefined : summary.usage;
    instruments.call(
      metricAttributes,
      (nowMs - this.startedMs) / 1000,
      this.firstContentMs === undefined ? undefined : (this.firstContentMs - this.startedMs) / 1000,
      usage,
    );
  }
}

class OtelAttempt implements AttemptTrace {
  readonly headers: Readonly<Record<string, string>>;
  readonly key: KeyAttributes;
  private readonly summary: ResponseSummary = { finishReasons: [] };
  private readonly span: Span;
  private readonly startedMs: number;
  private ended = false;

  constructor(
    private readonly telemetry: PoolTelemetry,
    private readonly call: OtelCall,
    private readonly slot: KeySlot,
    number: number,
    continued: boolean,
  ) {
    this.startedMs = telemetry.ctx.clock.now();
    this.key = telemetry.keyAttributes(slot);
    const model = slot.upstreamModel(call.request.model);
    this.span = telemetry.startSpan(`chat ${model}`, 'client', call.parentContext, this.startedMs);
    if (this.span.isRecording()) {
      this.span.setAttributes(call.requestAttributes);
      this.span.setAttributes(this.key.span);
      this.span.setAttribute(ATTR.requestModel, model);
      this.span.setAttribute(ATTR.attempt, number);
      if (continued) this.span.setAttribute(ATTR.continued, true);
    }
    this.headers = telemetry.traceHeaders(this.span, slot);
  }

  observe(payload: ChatCompletion | ChatCompletionChunk): void {
    summarize(this.summary, payload);
  }

  answered(): void {
    const nowMs = this.telemetry.ctx.clock.now();
    if (this.call.stream) this.span.setAttribute(ATTR.timeToFirstChunk, (nowMs - this.startedMs) / 1000);
    this.call.serves(this, nowMs);
  }

  end(failure?: AttemptFailure): void {
    if (this.ended) return;
    this.ended = true;
    const attributes = responseAttributes(this.summary);
    if (failure === undefined) attributes[ATTR.outcome] = 'success';
    else this.recordFailure(failure, attributes);
    this.span.setAttributes(attributes);
    this.span.end(this.telemetry.ctx.clock.now());
  }

  private recordFailure({ error, action }: AttemptFailure, attributes: Attributes): void {
    const { outcome } = error;
    attributes[ATTR.outcome] = outcome.kind;
    if (outcome.kind === 'http') attributes[ATTR.httpStatus] = outcome.status;
    if (action) attributes[ATTR.action] = action.type;
    if (action?.type === 'cooldown' || action?.type === 'saturated') {
      const nowMs = this.telemetry.ctx.clock.now();
      attributes[ATTR.cooldown] = Math.max(0, this.telemetry.ctx.cooldownEnd(this.slot) - nowMs) / 1000;
    }
    if (outcome.kind !== 'aborted' || action !== undefined)
      this.telemetry.fail(this.span, attemptErrorType(outcome), error.message);
  }
}
