import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionRequest, ModelList } from './chat.types.js';
import type { ChatDegrader, ChatOptions, PoolResult, StreamOptions } from './core/call-types.js';
import type { PoolCore } from './core/pool-core.js';
import { POOL_CORE } from './core/pool-core.token.js';
import { DEEPSEEK_POOL_DEGRADER } from './deepseek-pool.constants.js';
import { NoDegraderError } from './deepseek-pool.errors.js';
import type { PoolEvents } from './deepseek-pool.events.js';
import type { KeySnapshot, PoolSnapshot } from './pool-snapshot.js';
import type { Redactor } from './redaction/redactor.js';
import { validateChatRequest } from './request-validation.js';
import type { CallOptions } from './resilience/attempt-loop.types.js';
import { degradableStream } from './streaming/degradable-stream.js';
import type { PoolStream } from './streaming/pool-stream.js';
import { serializeChatBody } from './transport/chat-body.js';
import type { ExchangeLimits } from './transport/exchange-limits.js';
import type { TokenEstimateOptions } from './limits/token-estimate.js';

export type { DegradedTier } from './call.types.js';
export type {
  ChatDegrader,
  ChatOptions,
  DegradeOptions,
  PoolChatCall,
  PoolResult,
  StreamOptions,
} from './core/call-types.js';

/**
 * The facade: call DeepSeek (or any OpenAI-compatible upstream) through many keys as if through one.
 * Every call goes to a key that can serve it; failures are classified and retried on another key.
 * Key administration is on DeepSeekPoolAdmin.
 */
@Injectable()
export class DeepSeekPoolService {
  /** Observer events: key disabled / cooled, breaker open / half-open / close, retry. */
  readonly events: PoolEvents;
  /**
   * Redacts every configured key (and the secrets given in the options) from a text: use it for anything you log or
   * send.
   */
  readonly redactor: Redactor;

  constructor(
    @Inject(POOL_CORE) private readonly core: PoolCore,
    @Optional() @Inject(DEEPSEEK_POOL_DEGRADER) private readonly degrader?: ChatDegrader,
  ) {
    this.events = core.events;
    this.redactor = core.redactor;
  }

  /**
   * One chat completion. Resolves with the upstream body unchanged (reasoning_content, tool_calls, usage with
   * cache tokens) and the attempt metadata; rejects with a typed DeepSeekPoolError (`NO_DEGRADER` for
   * `degrade: true` without DeepSeekDegradationModule).
   */
  chat(request: ChatCompletionRequest, options: ChatOptions = {}): Promise<PoolResult<ChatCompletion>> {
    // The pool's promise as it is: an async wrapper would add a promise and three microtask turns to every call.
    return options.degrade ? this.degradableChat(request, options) : this.core.calls.chat(request, options);
  }

  private async degradableChat(
    request: ChatCompletionRequest,
    options: ChatOptions,
  ): Promise<PoolResult<ChatCompletion>> {
    const { calls } = this.core;
    validateChatRequest(request);
    const body = serializeChatBody(request, false);
    const degrader = this.degraderFor('chat');
    // One span for the degradable call: the fresh attempts beneath it, each tier's own pool calls as child spans.
    const trace = calls.trace(request, false);
    return trace.track(() =>
      degrader.chat(request, options, (next) =>
        next === request ? calls.chatTraced(next, options, trace, body) : calls.chat(next, options),
      ),
    );
  }

  /**
   * A streamed chat completion through the pool: fails over transparently until the first content chunk; after it,
   * a break is continued on another key that can (see `continuation`), else the stream ends with a typed error
   * (never silently). With `degrade: true`, a stream the pool cannot start is served from the degradation tiers,
   * replayed as chunks (`meta.degraded` names the tier). Throws InvalidRequestError at once for a bad request, and
   * DeepSeekPoolError `NO_DEGRADER` for `degrade: true` without DeepSeekDegradationModule. See PoolStream.
   */
  stream(request: ChatCompletionRequest, options: StreamOptions = {}): PoolStream {
    const { calls } = this.core;
    if (!options.degrade) return calls.stream(request, options);
    validateChatRequest(request);
    const degrader = this.degraderFor('stream');
    return degradableStream(
      (signal) => calls.stream(request, { ...options, signal }),
      (fresh, onDegraded) => degrader.stream(request, options, fresh, (next) => calls.chat(next, options), onDegraded),
      options.signal,
    );
  }

  /** The upstream model list, from any key that can answer. */
  listModels(options: CallOptions = {}): Promise<PoolResult<ModelList>> {
    return this.core.calls.listModels(options);
  }

  /** The bounds this pool enforces on every exchange (`limits`, defaults applied). */
  get limits(): Readonly<ExchangeLimits> {
    return this.core.limits;
  }

  /**
   * How this pool estimates a call's tokens before it is sent (`tokenEstimate`, defaults applied): pass it to
   * `estimateTokens` to count a request the way the pool's limits do.
   */
  get tokenEstimate(): Readonly<TokenEstimateOptions> {
    return this.core.options.tokenEstimate;
  }

  /** One key's state (as in `snapshot()`), or undefined for an unknown id. O(1). */
  keySnapshot(id: string): KeySnapshot | undefined {
    return this.core.keys.keySnapshot(id);
  }

  /** Every key's state, by id and masked key. Reads local state only; never calls upstream; holds no secret. */
  snapshot(): PoolSnapshot {
    return this.core.keys.snapshot();
  }

  private degraderFor(call: 'chat' | 'stream'): ChatDegrader {
    if (this.degrader) return this.degrader;
    throw new NoDegraderError(call);
  }
}
