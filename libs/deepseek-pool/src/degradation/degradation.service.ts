import { Inject, Injectable } from '@nestjs/common';
import { type Observable, defer, from } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../chat.types.js';
import { type AttemptRecord, RequestAbortedError, attemptsOf, errorMessage } from '../deepseek-pool.errors.js';
import { observableToIterable } from '../streaming/observable-iterable.js';
import type { DegradedTier } from '../call.types.js';
import type { ChatDegrader, ChatOptions, PoolChatCall, PoolResult, StreamOptions } from '../core/call-types.js';
import type { PoolCore } from '../core/pool-core.js';
import { POOL_CORE } from '../core/pool-core.token.js';
import type { DegradableRoute } from './degradable.decorator.js';
import { DEEPSEEK_DEGRADATION_OPTIONS, DEFAULT_DEGRADATION_CACHE } from './degradation.constants.js';
import { DegradedUnavailableError, PoolBreakerOpenError } from './degradation.errors.js';
import type { ResolvedDegradationOptions, ResolvedFallback } from './degradation.options.js';
import { type DegradationTier, cannotServe, planTiers, retryAfterMsOf } from './degradation-tiers.js';
import { lighterModels } from './model-fallback.js';
import { type CallVerdict, PoolBreaker } from './pool-breaker.js';
import { ResponseCache, type ResponseCacheStore } from './response-cache.js';
import { assembleChunks, completionToChunks } from './sse-replay.js';
import type { HttpRequestLike } from './tenant.js';

/** What one degradable request carries through the tiers. */
export interface DegradationInput {
  /** The chat request to answer. */
  request: ChatCompletionRequest;
  /** Cache scope; undefined: the cache is not used. */
  tenant: string | undefined;
  /** How the last tier answers (the route's `fallback`, else the module's). */
  fallback: ResolvedFallback;
  /** A plain pool call (no degradation), for the lighter models. */
  call: PoolChatCall;
  /** Told which tier answers, before the answer is returned or streamed (the interceptor sets its header). */
  onDegraded?: (tier: DegradationTier) => void;
}

/** A fresh answer, or a degraded one marked with its tier. */
export type DegradationOutcome<T> = { fresh: T } | { degraded: PoolResult<ChatCompletion> };

/**
 * The degradation layer. In front of every degradable pool call sits the pool-wide breaker; fresh answers are
 * stored in the response cache; when the pool cannot serve (or the breaker is open) the answer comes from the
 * configured tiers in order: cache, lighter models, fallback. The pool calls it for `{ degrade: true }` (chat and
 * stream); `DeepSeekDegradationInterceptor` uses it for `@Degradable()` routes.
 */
@Injectable()
export class DeepSeekDegradationService implements ChatDegrader {
  /** The pool-wide breaker (state, retryAfterMs). */
  readonly breaker: PoolBreaker;
  private readonly cache: ResponseCache;

  constructor(
    @Inject(DEEPSEEK_DEGRADATION_OPTIONS) private readonly options: ResolvedDegradationOptions,
    @Inject(DEFAULT_DEGRADATION_CACHE) defaultCache: ResponseCacheStore,
    @Inject(POOL_CORE) private readonly core: PoolCore,
  ) {
    const { clock, logger } = options;
    this.breaker = new PoolBreaker(options.breaker, clock, (state) => {
      logger?.[state === 'closed' ? 'log' : 'warn'](`Pool breaker ${state}`);
    });
    this.cache = new ResponseCache(
      options.cache ?? defaultCache,
      {
        ttlMs: options.cacheTtlMs,
        keyPrefix: options.cacheKeyPrefix,
        cacheNonDeterministic: options.cacheNonDeterministic,
      },
      clock,
      logger,
    );
  }

  /**
   * `pool.chat(request, { degrade: true })`: the tiers around a plain pool call. The cache scope is `options.tenant`,
   * else the extractor's.
   */
  async chat(
    request: ChatCompletionRequest,
    options: ChatOptions,
    call: PoolChatCall,
  ): Promise<PoolResult<ChatCompletion>> {
    const outcome = await this.run(
      { request, tenant: this.tenantOf(request, options), fallback: this.options.fallback, call },
      () => call(request),
      (result) => result.data,
    );
    return 'fresh' in outcome ? outcome.fresh : outcome.degraded;
  }

  /**
   * `pool.stream(request, { degrade: true })`: `streamIterable` around the pool's fresh stream. The cache scope is
   * `options.tenant`, else the extractor's.
   */
  stream(
    request: ChatCompletionRequest,
    options: StreamOptions,
    fresh: AsyncIterable<ChatCompletionChunk>,
    call: PoolChatCall,
    onDegraded: (tier: DegradedTier) => void,
  ): AsyncIterable<ChatCompletionChunk> {
    const tenant = this.tenantOf(request, options);
    return this.streamIterable({ request, tenant, fallback: this.options.fallback, call, onDegraded }, fresh);
  }

  /** The input of a request to a `@Degradable()` route. */
  routeInput(
    request: ChatCompletionRequest,
    http: HttpRequestLike,
    route: Pick<DegradableRoute, 'tenant' | 'fallback'>,
    onDegraded: (tier: DegradationTier) => void,
  ): DegradationInput {
    return {
      request,
      tenant: (route.tenant ?? this.options.tenant)(request, http),
      fallback: route.fallback ?? this.options.fallback,
      call: (next) => this.core.calls.chat(next),
      onDegraded,
    };
  }

  /**
   * Runs `fresh` (a pool call, or a handler calling the pool) behind the pool breaker. A fresh answer is stored
   * (`answerOf` picks the chat completion out of it); a "cannot serve" error degrades; any other error is rethrown.
   */
  async run<T>(
    input: DegradationInput,
    fresh: () => Promise<T>,
    answerOf: (value: T) => unknown,
  ): Promise<DegradationOutcome<T>> {
    const permit = this.breaker.tryAcquire();
    if (permit === undefined) return { degraded: await this.degrade(input, this.breakerOpen()) };
    let value: T;
    try {
      value = await fresh();
    } catch (error) {
      const failed = cannotServe(error);
      this.breaker.record(permit, failed ? 'failure' : 'neutral');
      if (!failed) throw error;
      return { degraded: await this.degrade(input, error) };
    }
    this.breaker.record(permit, 'success');
    await this.cache.store(input.request, input.tenant, answerOf(value));
    return { fresh: value };
  }

  /**
   * The streaming counterpart of `run`: passes the fresh chunks through and stores the answer once the stream has
   * completed with every choice finished. A "cannot serve" error before the first chunk degrades to a replay of the
   * tier's answer as chunks; an error after it passes through (nothing partial is ever stored). Pull-based, so a
   * slow reader slows the upstream read (back-pressure) and stopping early cancels it.
   */
  async *streamIterable(
    input: DegradationInput,
    fresh: AsyncIterable<ChatCompletionChunk>,
  ): AsyncGenerator<ChatCompletionChunk, void, undefined> {
    const permit = this.breaker.tryAcquire();
    if (permit === undefined) {
      yield* await this.degradeToChunks(input, this.breakerOpen());
      return;
    }
    const keep = this.cache.covers(input.request, input.tenant);
    const chunks: ChatCompletionChunk[] = [];
    let verdict: CallVerdict | undefined;
    const settle = (next: CallVerdict): void => {
      if (verdict !== undefined) return;
      verdict = next;
      this.breaker.record(permit, next);
    };
    let replay: ChatCompletionChunk[] | undefined;
    try {
      for await (const chunk of fresh) {
        settle('success');
        if (keep) chunks.push(chunk);
        yield chunk;
      }
    } catch (error) {
      if (verdict !== undefined || !cannotServe(error)) throw error;
      settle('failure');
      replay = await this.degradeToChunks(input, error);
    } finally {
      settle('neutral');
    }
    if (replay) yield* replay;
    else await this.cache.store(input.request, input.tenant, assembleChunks(chunks));
  }

  /** `streamIterable` for Observables (the interceptor's handlers return them). */
  runStream(input: DegradationInput, fresh: Observable<ChatCompletionChunk>): Observable<ChatCompletionChunk> {
    return defer(() => from(this.streamIterable(input, observableToIterable(fresh))));
  }

  private tenantOf(request: ChatCompletionRequest, options: ChatOptions | StreamOptions): string | undefined {
    return options.tenant ?? this.options.tenant(request, undefined);
  }

  private async degradeToChunks(input: DegradationInput, cause: unknown): Promise<ChatCompletionChunk[]> {
    return completionToChunks((await this.degrade(input, cause)).data);
  }

  private breakerOpen(): PoolBreakerOpenError {
    return new PoolBreakerOpenError(this.breaker.retryAfterMs);
  }

  /** The tiers in order; the first that answers wins. Rethrows `cause` when none does. */
  private async degrade(input: DegradationInput, cause: unknown): Promise<PoolResult<ChatCompletion>> {
    const trace = [...attemptsOf(cause)];
    const lighter = lighterModels(input.request.model, this.options.modelFallbacks);
    const tiers = planTiers(this.options.tiers, {
      cacheable: this.cache.covers(input.request, input.tenant),
      hasLighterModels: lighter.length > 0,
      upstreamPaused: this.breaker.state !== 'closed',
    });
    for (const tier of tiers) {
      const answer =
        tier === 'cache'
          ? await this.fromCache(input, trace)
          : tier === 'model'
            ? await this.fromLighterModel(input, lighter, trace)
            : this.fallback(input, cause, trace);
      if (answer !== undefined) return answer;
    }
    throw cause;
  }

  private async fromCache(
    input: DegradationInput,
    trace: AttemptRecord[],
  ): Promise<PoolResult<ChatCompletion> | undefined> {
    const cached = await this.cache.lookup(input.request, input.tenant);
    return cached && this.mark('cache', input, { data: cached, meta: { keyId: '', attempts: trace.length, trace } });
  }

  /**
   * Each lighter model in turn, as a plain pool call, while the breaker stays closed. Its answer is cached under its
   * own request.
   */
  private async fromLighterModel(
    input: DegradationInput,
    models: string[],
    trace: AttemptRecord[],
  ): Promise<PoolResult<ChatCompletion> | undefined> {
    const { stream: _stream, stream_options: _streamOptions, ...base } = input.request;
    for (const model of models) {
      if (this.breaker.state !== 'closed') return undefined;
      const request = { ...base, model };
      try {
        const result = await input.call(request);
        trace.push(...result.meta.trace);
        await this.cache.store(request, input.tenant, result.data);
        return this.mark('model', input, {
          data: result.data,
          meta: { ...result.meta, attempts: trace.length, trace },
        });
      } catch (error) {
        if (error instanceof RequestAbortedError) throw error;
        trace.push(...attemptsOf(error));
        this.options.logger?.warn(
          `Lighter model ${model} could not answer for ${input.request.model}: ${errorMessage(error)}`,
        );
      }
    }
    return undefined;
  }

  /** The last tier: an assistant message, or DegradedUnavailableError (HTTP 503) with Retry-After. */
  private fallback(input: DegradationInput, cause: unknown, trace: AttemptRecord[]): PoolResult<ChatCompletion> {
    const nowMs = this.options.clock.now();
    const { fallback } = input;
    if (fallback.as === 'message')
      return this.mark('fallback', input, {
        data: fallback.body(input.request, nowMs),
        meta: { keyId: '', attempts: trace.length, trace },
      });
    this.record('fallback', input);
    const retryAfterMs = Math.max(retryAfterMsOf(cause) ?? 0, this.breaker.retryAfterMs);
    throw new DegradedUnavailableError(fallback.body(input.request, nowMs), retryAfterMs, cause, trace);
  }

  private mark(
    tier: DegradationTier,
    input: DegradationInput,
    result: PoolResult<ChatCompletion>,
  ): PoolResult<ChatCompletion> {
    this.record(tier, input);
    return { data: result.data, meta: { ...result.meta, degraded: tier } };
  }

  private record(tier: DegradationTier, input: DegradationInput): void {
    this.options.metrics?.degraded(tier, input.request.model);
    input.onDegraded?.(tier);
  }
}
