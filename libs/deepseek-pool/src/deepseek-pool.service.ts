import { Inject, Injectable, type LoggerService, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ModelList, Usage } from './chat.types.js';
import { DEEPSEEK_POOL_OPTIONS } from './deepseek-pool.constants.js';
import { NoDegraderError, UnknownKeyError, attemptsOf } from './deepseek-pool.errors.js';
import { PoolEvents } from './deepseek-pool.events.js';
import { type ResolvedPoolOptions, servedModels } from './deepseek-pool.options.js';
import { redactedLogger } from './redaction/redacting-logger.js';
import type { Redactor } from './redaction/redactor.js';
import { type KeyConfig, type KeyOptions, parseKeys } from './keys/key-config.js';
import { type ProbeResult, probeKey } from './transport/key-probe.js';
import { QuotaGuard } from './limits/quota-guard.js';
import { estimateTokens } from './limits/token-estimate.js';
import { UsageMeter } from './limits/usage-meter.js';
import { KeyRegistry } from './keys/key-registry.js';
import type { KeySlot } from './keys/key-slot.js';
import type { AttemptMeta } from './call.types.js';
import { type AttemptFn, AttemptLoop, type CallOptions } from './resilience/attempt-loop.js';
import { maxTokensClass } from './resilience/hedge-policy.js';
import { Hedging } from './resilience/hedging.js';
import { RetryBudget } from './resilience/retry-budget.js';
import { validateChatRequest } from './request-validation.js';
import { type EligibilityContext, cooldownEnd } from './routing/eligibility.js';
import { AccountLimits } from './routing/account-limits.js';
import { Router } from './routing/router.js';
import { createStrategy } from './routing/strategies.js';
import { MemoryStateStore } from './state/memory-state-store.js';
import { type PoolStateStore, keyScope } from './state/pool-state-store.js';
import { type KeySnapshot, type PoolSnapshot, snapshotKey, snapshotPool } from './pool-snapshot.js';
import { PoolStream } from './streaming/pool-stream.js';
import { type ChunkChannel } from './streaming/chunk-channel.js';
import { ContinuedChannel } from './streaming/continued-channel.js';
import { type StreamContinuationDeps, streamResumer } from './streaming/stream-continuation.js';
import { exchangeStream } from './streaming/stream-exchange.js';
import { UndiciTransport } from './transport/undici.transport.js';
import { exchangeChat, openExchange } from './transport/upstream-exchange.js';
import type { Transport } from './transport/transport.js';
import { readJsonBody } from './transport/json-body.js';
import { loadOtelApi } from './telemetry/otel-api.js';
import { type CallTrace, type CallTracer, NOOP_TELEMETRY } from './resilience/call-trace.js';
import { PoolTelemetry } from './telemetry/pool-telemetry.js';
import { serializeChatBody } from './transport/chat-body.js';
import type { ExchangeLimits } from './transport/exchange-limits.js';

/** A pool answer: the upstream body unchanged, and how it was obtained. */
export interface PoolResult<T> {
  data: T;
  meta: AttemptMeta;
}

/** Options of one chat call. */
export interface ChatOptions extends CallOptions {
  /**
   * Serve from the degradation tiers (cache, lighter model, fallback) when the pool cannot; needs
   * DeepSeekDegradationModule.
   */
  degrade?: boolean;
  /**
   * With `degrade`: the cache scope of this call (e.g. the signed-in user), instead of the degradation module's
   * extractor.
   */
  tenant?: string;
}

/** Options of one stream call. */
export interface StreamOptions extends CallOptions {
  /**
   * `{ enabled: false }`: a break after content ends the stream with StreamInterruptedError instead of being continued.
   */
  continuation?: { enabled?: boolean };
}

/** The degradation layer, registered by DeepSeekDegradationModule: wraps a pool call with its tiers. */
export interface ChatDegrader {
  chat(
    request: ChatCompletionRequest,
    options: ChatOptions,
    call: (request: ChatCompletionRequest) => Promise<PoolResult<ChatCompletion>>,
  ): Promise<PoolResult<ChatCompletion>>;
}

/**
 * The facade: call DeepSeek (or any OpenAI-compatible upstream) through many keys as if through one.
 * Every call goes to a key that can serve it; failures are classified and retried on another key.
 */
@Injectable()
export class DeepSeekPoolService implements OnModuleInit, OnModuleDestroy {
  /** Observer events: key disabled / cooled, breaker open / half-open / close, retry. */
  readonly events = new PoolEvents();
  /**
   * Redacts every configured key (and the secrets given in the options) from a text: use it for anything you log or
   * send.
   */
  readonly redactor: Redactor;
  private readonly registry: KeyRegistry;
  private readonly router: Router;
  private readonly store: PoolStateStore;
  private readonly transport: Transport;
  private readonly loop: AttemptLoop;
  private readonly logger: LoggerService | undefined;
  private readonly eligibility: EligibilityContext & { refresh(): EligibilityContext };
  private readonly meter: UsageMeter;
  private degrader: ChatDegrader | undefined;
  private readonly continuation: StreamContinuationDeps;
  private telemetry: CallTracer = NOOP_TELEMETRY;
  private readonly telemetryReady: Promise<void>;
  private destroyed = false;

  constructor(@Inject(DEEPSEEK_POOL_OPTIONS) private readonly options: ResolvedPoolOptions) {
    const { clock, rng } = options;
    this.redactor = options.redactor;
    this.logger = redactedLogger(options.logger, 'DeepSeekPool', this.redactor);
    this.store = options.store ?? new MemoryStateStore();
    this.transport = options.transport ?? new UndiciTransport();
    this.registry = new KeyRegistry(options.breaker, options.latencyDecayMs, clock, (slot, state) => {
      const event = state === 'open' ? 'breaker.open' : state === 'closed' ? 'breaker.close' : 'breaker.half-open';
      this.events.emit(event, { keyId: slot.id });
    });
    for (const key of options.keys) this.registry.add(key);
    this.router = new Router(createStrategy(options.strategy), rng, options.breaker.resetTimeoutMs);
    this.router.setSlots(this.registry.all);
    const accountLimits = new AccountLimits(options.accountLimits, clock, options.cooldown.maxMs);
    const quota = new QuotaGuard(this.store, options.accountUsageLimits);
    this.meter = new UsageMeter(this.store, quota, clock, (crossing) => this.events.emit('quota.threshold', crossing));
    this.store.onChange((change) => {
      if (change.type === 'store-degraded') this.events.emit('store.degraded', { error: change.error });
      if (change.type === 'store-recovered') this.events.emit('store.recovered', { downMs: change.downMs });
    });
    this.eligibility = {
      nowMs: clock.now(),
      store: this.store,
      quota,
      accountLimit: (account) => accountLimits.limit(account),
      refresh() {
        this.nowMs = clock.now();
        return this;
      },
    };
    this.loop = new AttemptLoop({
      router: this.router,
      eligibility: this.eligibility,
      actions: {
        store: this.store,
        clock,
        rng,
        cooldown: options.cooldown,
        backoff: options.backoff,
        events: this.events,
        slotsOfAccount: (account) => this.registry.all.filter((slot) => slot.config.account === account),
        learnAccountLimit: (account, limit) => accountLimits.learn(account, limit),
      },
      budget: new RetryBudget(options.retryBudget, clock),
      clock,
      rng,
      events: this.events,
      metrics: options.metrics,
      hedging: options.hedging.enabled ? new Hedging(options.hedging, clock) : undefined,
      maxAttempts: options.maxAttempts,
      requestTimeoutMs: options.timeouts.requestMs,
      attemptTimeoutMs: options.timeouts.attemptMs,
      maxWaitForKeyMs: options.maxWaitForKeyMs,
      backoff: options.backoff,
      redactor: this.redactor,
    });
    this.continuation = {
      loop: this.loop,
      slots: () => this.registry.all,
      settings: options.continuation,
      charsPerToken: options.tokenEstimate.charsPerToken,
      clock,
      events: this.events,
      metrics: options.metrics,
      attempt: (request, baseUrlOf) => this.streamAttempt(request, baseUrlOf),
    };
    this.logEvents();
    this.telemetryReady = this.startTelemetry();
  }

  /**
   * Resolves once OpenTelemetry is wired (or known to be absent) and the state store started: Nest awaits it before
   * serving.
   */
  async onModuleInit(): Promise<void> {
    await Promise.all([this.telemetryReady, this.store.start?.()]);
  }

  /**
   * One chat completion. Resolves with the upstream body unchanged (reasoning_content, tool_calls, usage with
   * cache tokens) and the attempt metadata; rejects with a typed DeepSeekPoolError.
   */
  async chat(request: ChatCompletionRequest, options: ChatOptions = {}): Promise<PoolResult<ChatCompletion>> {
    validateChatRequest(request);
    const body = serializeChatBody(request, false);
    if (options.degrade) {
      const degrader = this.degrader;
      if (!degrader) throw new NoDegraderError();
      // One span for the degradable call: the fresh attempts beneath it, each tier's own pool calls as child spans.
      const call = this.telemetry.call(request, false);
      return call.track(() =>
        degrader.chat(request, options, (next) =>
          next === request ? this.poolChat(next, options, call, body) : this.chat(next, { ...options, degrade: false }),
        ),
      );
    }
    return this.poolChat(request, options, this.telemetry.call(request, false), body);
  }

  /** One chat completion through the keys (no degradation), traced as `call`. */
  private async poolChat(
    request: ChatCompletionRequest,
    options: CallOptions,
    call: CallTrace,
    body = serializeChatBody(request, false),
  ): Promise<PoolResult<ChatCompletion>> {
    const startedMs = this.options.clock.now();
    try {
      const estimate = this.estimator(request);
      const result = await this.loop.run(
        request.model,
        this.runOptions(request, options),
        false,
        (slot, control) =>
          this.meter.track(
            slot,
            estimate,
            () =>
              exchangeChat(
                this.transport,
                slot,
                control,
                this.options,
                { model: request.model, body },
                this.options.clock,
              ),
            (data) => data.usage,
          ),
        call,
      );
      call.answered(result.meta, result.data);
      if (result.data.usage) this.recordUsage(this.registry.get(result.meta.keyId), request.model, result.data.usage);
      this.recordRequest(request.model, 'success', result.meta.attempts, startedMs, false);
      return result;
    } catch (error) {
      call.failed(error);
      this.recordRequest(request.model, 'error', attemptsOf(error).length, startedMs, false);
      throw error;
    }
  }

  /**
   * A streamed chat completion through the pool: fails over transparently until the first content chunk; after it,
   * a break is continued on another key that can (see `continuation`), else the stream ends with a typed error
   * (never silently). See PoolStream.
   */
  stream(request: ChatCompletionRequest, options: StreamOptions = {}): PoolStream {
    validateChatRequest(request);
    const body = serializeChatBody(request, true);
    return new PoolStream(async (signal) => {
      const startedMs = this.options.clock.now();
      const { continuation, ...callOptions } = options;
      const call = { ...this.runOptions(request, callOptions), signal };
      const trace = this.telemetry.call(request, true);
      const { data: channel, meta } = await this.loop
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
        enabled: this.options.continuation.enabled && continuation?.enabled !== false,
        deadlineMs: startedMs + (options.timeoutMs ?? this.options.timeouts.requestMs),
        meta,
      });
      return { channel: trace.source(new ContinuedChannel(channel, resume)), meta };
    }, options.signal);
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
    const estimate = this.estimator(request);
    return (slot, control, commit) => {
      const reservation = this.meter.reserve(slot, estimate);
      let committed = false;
      const onCommit = (committedChannel: ChunkChannel<ChatCompletionChunk>): void => {
        committed = true;
        commit(committedChannel);
      };
      const onUsage = (usage: Usage): void => {
        this.meter.settle(reservation, usage.total_tokens);
        this.recordUsage(slot, request.model, usage);
      };
      return exchangeStream(
        this.transport,
        slot,
        control,
        this.options,
        { model: request.model, body },
        this.options.clock,
        onCommit,
        onUsage,
        baseUrlOf(slot),
      ).catch((error: unknown) => {
        if (!committed) this.meter.settle(reservation, 0);
        throw error;
      });
    };
  }

  /** The upstream model list, from any key that can answer. */
  async listModels(options: CallOptions = {}): Promise<PoolResult<ModelList>> {
    return this.loop.run(undefined, options, false, async (slot, control) => {
      const response = await openExchange(
        this.transport,
        slot,
        control,
        this.options.timeouts.firstByteMs,
        { method: 'GET', path: '/models' },
        this.options.clock,
      );
      control.arm('total');
      const list = (await readJsonBody(response.body, undefined, this.options.limits.maxResponseBytes)) as ModelList;
      if (Array.isArray(list?.data))
        this.options.modelLabels.learn(list.data.map((model) => model.id).filter((id) => typeof id === 'string'));
      return list;
    });
  }

  /** The bounds this pool enforces on every exchange (`limits`, defaults applied). */
  get limits(): Readonly<ExchangeLimits> {
    return this.options.limits;
  }

  /** One key's state (as in `snapshot()`), or undefined for an unknown id. O(1). */
  keySnapshot(id: string): KeySnapshot | undefined {
    const slot = this.registry.get(id);
    return slot && snapshotKey(slot, this.eligibility.refresh());
  }

  /** Every key's state, by id and masked key. Reads local state only; never calls upstream; holds no secret. */
  snapshot(): PoolSnapshot {
    return snapshotPool(this.registry.all, this.eligibility.refresh(), this.options.strategy);
  }

  /** Registers the degradation layer used by `chat(request, { degrade: true })`. */
  useDegrader(degrader: ChatDegrader): void {
    this.degrader = degrader;
  }

  /**
   * Opens a key's breaker now (a prober saw it fail): it comes back through half-open probes like after traffic
   * failures.
   */
  markKeyDown(id: string): void {
    this.slot(id).breaker.open();
  }

  /** Feeds a latency measured outside the pool (synthetic traffic) into the key's peak-EWMA, which routing reads. */
  observeLatency(id: string, latencyMs: number): void {
    this.slot(id).latency.observe(latencyMs);
  }

  /** Adds a key at run time (validated like start-up options). */
  addKey(options: KeyOptions | string): KeySnapshot {
    return this.addKeys([options])[0];
  }

  /** Adds several keys at once: all are validated first, so a bad entry adds none. */
  addKeys(list: ReadonlyArray<KeyOptions | string>): KeySnapshot[] {
    const configs = parseKeys(
      list,
      this.options.defaultBaseUrl,
      this.registry.all.map((slot) => slot.config),
    );
    this.learnKeys(configs);
    for (const config of configs) this.registry.add(config);
    this.router.setSlots(this.registry.all);
    return configs.map((config) => this.keySnapshot(config.id)!);
  }

  /** Stops routing to a key, waits for its in-flight requests (up to `drainTimeoutMs`), then removes it. */
  async removeKey(id: string, drainTimeoutMs = 30_000): Promise<void> {
    const slot = this.slot(id);
    slot.draining = true;
    const giveUpMs = this.options.clock.now() + drainTimeoutMs;
    while (slot.inFlight > 0 && this.options.clock.now() < giveUpMs)
      await new Promise((resolve) => setTimeout(resolve, 25));
    this.registry.remove(id);
    this.router.setSlots(this.registry.all);
    this.store.enable(id);
    this.store.clearCooldown(keyScope(id));
  }

  /** Rotates a key's secret without restart: same id and settings, fresh breaker, cleared state. */
  replaceKey(id: string, apiKey: string): KeySnapshot {
    const old = this.slot(id);
    const [secret] = parseKeys([{ id, apiKey }], old.config.baseUrl);
    this.learnKeys([secret]);
    this.registry.remove(id);
    this.registry.add({ ...old.config, apiKey: secret.apiKey, masked: secret.masked });
    this.router.setSlots(this.registry.all);
    this.enableKey(id);
    return this.keySnapshot(id)!;
  }

  /** Takes a key out of rotation until `enableKey` (operator action). */
  disableKey(id: string, reason: 'manual' | 'revoked' | 'insufficient-balance' | 'forbidden' = 'manual'): void {
    this.slot(id);
    this.store.disable(id, { reason, sinceMs: this.options.clock.now() });
    this.events.emit('key.disabled', { keyId: id, reason });
  }

  /** Puts a disabled or cooling key back into rotation now (operator action): clears its disable and its cooldown. */
  enableKey(id: string): void {
    const slot = this.slot(id);
    const scope = keyScope(id);
    const cooling = this.store.cooldownUntil(scope) > this.options.clock.now();
    if (this.store.disabled(id) === undefined && !cooling) return;
    this.store.enable(id);
    this.store.clearCooldown(scope);
    slot.consecutiveRateLimits = 0;
    this.events.emit('key.enabled', { keyId: id });
  }

  /** One direct call to one key (no routing, retry or breaker): for health probes and start-up validation. */
  probeKey(
    id: string,
    request: { method: 'GET' | 'POST'; path: string; body?: unknown },
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ProbeResult> {
    return probeKey(
      this.transport,
      this.slot(id),
      request,
      timeoutMs,
      this.options.clock,
      this.redactor,
      signal,
      this.options.limits.maxResponseBytes,
    );
  }

  /**
   * Every key's settings without its secret (for admin export): what it takes to recreate the pool, plus the masked
   * key.
   */
  exportKeys(): Array<Omit<KeyOptions, 'apiKey'> & { maskedKey: string }> {
    return this.registry.all.map(({ config }) => ({
      id: config.id,
      maskedKey: config.masked,
      baseUrl: config.baseUrl,
      weight: config.weight,
      priority: config.priority,
      account: config.account,
      ...(Number.isFinite(config.maxConcurrency) ? { maxConcurrency: config.maxConcurrency } : {}),
      ...(config.models ? { models: [...config.models] } : {}),
      ...(Object.keys(config.modelMap).length > 0 ? { modelMap: { ...config.modelMap } } : {}),
      ...(Object.keys(config.headers).length > 0 ? { headerNames: Object.keys(config.headers) } : {}),
      continuation: config.continuation,
      ...(config.reasoningPrefixModels.size > 0 ? { reasoningPrefixModels: [...config.reasoningPrefixModels] } : {}),
      ...(config.provider === 'deepseek' ? {} : { provider: config.provider }),
      ...(config.traceContext === undefined ? {} : { traceContext: config.traceContext }),
    }));
  }

  /** The name key `id` serves `model` under (after its `modelMap`), or undefined when it does not serve it. */
  upstreamModelOf(id: string, model: string): string | undefined {
    const slot = this.slot(id);
    return slot.serves(model) ? slot.upstreamModel(model) : undefined;
  }

  /** The base URL a key points at (to tell the official API, where /user/balance exists, from other instances). */
  baseUrlOf(id: string): string {
    return this.slot(id).config.baseUrl;
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    this.telemetry.close();
    this.registry.shutdown();
    this.events.removeAllListeners();
    if (!this.options.transport) await this.transport.close();
    if (!this.options.store) await this.store.close();
  }

  /** Loads `@opentelemetry/api` if installed and turns spans and metrics on (unless `telemetry: false`). */
  private async startTelemetry(): Promise<void> {
    const options = this.options.telemetry;
    if (options === false) return;
    const api = await loadOtelApi();
    if (api === undefined || this.destroyed) return;
    this.telemetry = new PoolTelemetry(api, options, {
      clock: this.options.clock,
      redact: (text) => this.redactor.redact(text),
      cooldownEnd: (slot) => cooldownEnd(slot, this.eligibility),
      snapshot: () => this.snapshot(),
    });
  }

  private slot(id: string): KeySlot {
    const slot = this.registry.get(id);
    if (!slot) throw new UnknownKeyError(id);
    return slot;
  }

  /**
   * Run-time keys: their secrets are redacted from then on (a replaced one too: it may still be echoed), their models
   * labelled.
   */
  private learnKeys(configs: readonly KeyConfig[]): void {
    this.redactor.add(...configs.map((config) => config.apiKey));
    this.options.modelLabels.learn(configs.flatMap(servedModels));
  }

  /** The token estimate of `request` for rate and quota limits, computed once and only if a key has limits. */
  private estimator(request: ChatCompletionRequest): () => number {
    let tokens: number | undefined;
    return () => (tokens ??= estimateTokens(request, this.options.tokenEstimate));
  }

  /**
   * The call's options as the loop runs them: with the affinity key the pool's `affinity` option finds in the request
   * (a call's own key wins) and the request's latency class (its `max_tokens` class: hedge delays are per class).
   */
  private runOptions<T extends CallOptions>(request: ChatCompletionRequest, options: T): T & { latencyClass: string } {
    const affinityKey = options.affinityKey ?? this.options.affinity?.(request);
    const latencyClass = maxTokensClass(typeof request.max_tokens === 'number' ? request.max_tokens : undefined);
    return affinityKey === undefined ? { ...options, latencyClass } : { ...options, affinityKey, latencyClass };
  }

  private recordUsage(slot: KeySlot | undefined, model: string, usage: NonNullable<ChatCompletion['usage']>): void {
    if (!slot) return;
    slot.recordUsage(usage);
    this.options.metrics?.usage(slot.id, model, usage);
  }

  private recordRequest(
    model: string,
    outcome: 'success' | 'error',
    attempts: number,
    startedMs: number,
    stream: boolean,
  ): void {
    this.options.metrics?.request({
      model,
      outcome,
      attempts,
      latencyMs: this.options.clock.now() - startedMs,
      stream,
    });
  }

  private logEvents(): void {
    const logger = this.logger;
    if (!logger) return;
    this.events.on('key.disabled', ({ keyId, reason }) => logger.warn(`Key ${keyId} disabled: ${reason}`));
    this.events.on('key.enabled', ({ keyId }) => logger.log(`Key ${keyId} enabled`));
    this.events.on('breaker.open', ({ keyId }) => logger.warn(`Breaker of key ${keyId} opened`));
    this.events.on('breaker.close', ({ keyId }) => logger.log(`Breaker of key ${keyId} closed`));
    this.events.on('store.degraded', ({ error }) =>
      logger.warn(`Shared state store unreachable (${error}): serving on this replica's local state`),
    );
    this.events.on('store.recovered', ({ downMs }) =>
      logger.log(`Shared state store back after ${downMs} ms: state reconciled`),
    );
  }
}
