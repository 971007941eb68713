import type {
  CallOptions,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  PoolResult,
  TokenEstimateOptions,
  Usage,
} from 'nestjs-deepseek-pool';
import { estimateTokens } from 'nestjs-deepseek-pool';
import { estimateCostUsd } from '../metrics/cost/estimate-cost.js';
import type { PriceTable } from '../metrics/cost/price-table.js';
import { type ClientLedger, type RequestSize, type Reservation, isRefusal } from './client-ledger.js';
import type { ClientMetrics } from './client-metrics.js';
import { ClientRefusedError } from './client-refusal.js';
import type { ClientRecord } from './client-spec.js';
import { BUDGET_LIMITS, NANO_PER_USD } from './spend-window.js';

/** An admitted request of a client: its reservation, corrected once with the usage its answer reports. */
export class ClientTicket {
  /** The usage of the answer, once seen (a stream's last chunk carries it). */
  usage: Usage | undefined;

  constructor(
    readonly client: ClientRecord,
    readonly model: string,
    readonly reservation: Reservation,
  ) {}

  /** What the client's profile adds to the pool call: the key priorities it may use. */
  get callOptions(): Pick<CallOptions, 'priorities'> {
    return this.client.priorities === undefined ? {} : { priorities: this.client.priorities };
  }

  /** The usage to bill for an answer: none for one served from the cache or the fallback (no upstream call). */
  usageOf(answer: PoolResult<ChatCompletion>): Usage | undefined {
    const degraded = answer.meta.degraded;
    return degraded === 'cache' || degraded === 'fallback' ? NO_USAGE : answer.data.usage;
  }

  /** Passes the chunks through, keeping the usage the last one carries. */
  async *watch(chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ChatCompletionChunk> {
    for await (const chunk of chunks) {
      if (chunk.usage) this.usage = chunk.usage;
      yield chunk;
    }
  }
}

/** No usage: the answer cost nothing upstream (a degraded answer from the cache or the fallback). */
export const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/**
 * The door of the chat route for client tokens: the client's model list, then its limits and budgets, checked and
 * counted before any upstream call with an estimate made as the pool makes it (prompt characters / charsPerToken +
 * max_tokens, cost priced as if no prompt token hit the cache); the real usage replaces the estimate afterwards.
 */
export class ClientAdmission {
  constructor(
    private readonly ledger: ClientLedger,
    private readonly metrics: ClientMetrics,
    private readonly prices: PriceTable,
    private readonly tokenEstimate: TokenEstimateOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Admits one request of `client` (undefined: a GATEWAY_TOKENS or anonymous caller, not limited); throws
   * ClientRefusedError.
   */
  async admit(client: ClientRecord | undefined, request: ChatCompletionRequest): Promise<ClientTicket | undefined> {
    if (client === undefined) return undefined;
    if (client.models !== undefined && !client.models.includes(request.model)) {
      this.metrics.outcome(client.name, 'model_not_allowed');
      throw ClientRefusedError.modelNotAllowed(client.name, request.model);
    }
    const result = await this.ledger.admit(client.name, client.limits, this.estimate(request));
    if (isRefusal(result)) {
      this.metrics.outcome(client.name, BUDGET_LIMITS.has(result.limit) ? 'over_budget' : 'rate_limited');
      throw ClientRefusedError.overLimit(client.name, result);
    }
    this.metrics.outcome(client.name, 'admitted');
    return new ClientTicket(client, request.model, result);
  }

  /**
   * Runs the call of an admitted request and settles its ticket: with `usageOf(result)` (the ticket's watched usage
   * when it returns undefined; the estimate stands when neither is known), or with no usage when the call fails
   * before any usage was seen (nothing was generated).
   */
  async track<T>(
    ticket: ClientTicket | undefined,
    call: () => Promise<T>,
    usageOf: (result: T) => Usage | undefined = () => undefined,
  ): Promise<T> {
    if (ticket === undefined) return call();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.settle(ticket, ticket.usage ?? NO_USAGE);
      throw error;
    }
    this.settle(ticket, usageOf(result) ?? ticket.usage);
    return result;
  }

  private settle(ticket: ClientTicket, usage: Usage | undefined): void {
    const actual = usage === undefined ? ticket.reservation.estimate : this.sizeOf(ticket.model, usage);
    this.ledger.settle(ticket.reservation, actual);
    this.metrics.usage(ticket.client.name, actual.tokens, actual.nanoUsd / NANO_PER_USD);
  }

  private estimate(request: ChatCompletionRequest): RequestSize {
    const tokens = estimateTokens(request, this.tokenEstimate);
    const maxTokens = request.max_tokens ?? request.max_completion_tokens;
    const completion =
      typeof maxTokens === 'number' && maxTokens > 0
        ? Math.min(maxTokens, tokens)
        : Math.min(this.tokenEstimate.completionTokens, tokens);
    const prompt = tokens - completion;
    return this.sizeOf(request.model, {
      prompt_tokens: prompt,
      prompt_cache_miss_tokens: prompt,
      completion_tokens: completion,
      total_tokens: tokens,
    });
  }

  /**
   * Tokens and cost of a usage; a model the price table does not know costs nothing (README: budgets count priced
   * models).
   */
  private sizeOf(model: string, usage: Usage): RequestSize {
    const usd = estimateCostUsd(model, usage, new Date(this.now()), this.prices) ?? 0;
    return { tokens: usage.total_tokens, nanoUsd: Math.round(usd * NANO_PER_USD) };
  }
}
