import { Inject, Injectable, Logger, type LoggerService, type OnModuleDestroy } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionRequest, ModelList } from './chat.types.js';
import { DEEPSEEK_POOL_OPTIONS } from './deepseek-pool.constants.js';
import { PoolEvents } from './deepseek-pool.events.js';
import type { ResolvedPoolOptions } from './deepseek-pool.options.js';
import { KeyRegistry } from './keys/key-registry.js';
import type { KeySlot } from './keys/key-slot.js';
import { type AttemptMeta, AttemptLoop, type CallOptions } from './resilience/attempt-loop.js';
import { RetryBudget } from './resilience/retry-budget.js';
import { validateChatRequest } from './request-validation.js';
import type { EligibilityContext } from './routing/eligibility.js';
import { Router } from './routing/router.js';
import { createStrategy } from './routing/strategies.js';
import { MemoryStateStore } from './state/memory-state-store.js';
import type { PoolStateStore } from './state/pool-state-store.js';
import { type PoolSnapshot, snapshotPool } from './pool-snapshot.js';
import { UndiciTransport } from './transport/undici.transport.js';
import { exchangeChat, openExchange } from './transport/upstream-exchange.js';
import type { Transport } from './transport/transport.js';
import { readJsonBody } from './transport/json-body.js';

/** A pool answer: the upstream body unchanged, and how it was obtained. */
export interface PoolResult<T> {
  data: T;
  meta: AttemptMeta;
}

/**
 * The facade: call DeepSeek (or any OpenAI-compatible upstream) through many keys as if through one.
 * Every call goes to a key that can serve it; failures are classified and retried on another key.
 */
@Injectable()
export class DeepSeekPoolService implements OnModuleDestroy {
  /** Observer events: key disabled / cooled, breaker open / half-open / close, retry. */
  readonly events = new PoolEvents();
  private readonly registry: KeyRegistry;
  private readonly router: Router;
  private readonly store: PoolStateStore;
  private readonly transport: Transport;
  private readonly loop: AttemptLoop;
  private readonly logger: LoggerService | undefined;
  private readonly eligibility: EligibilityContext & { refresh(): EligibilityContext };

  constructor(@Inject(DEEPSEEK_POOL_OPTIONS) private readonly options: ResolvedPoolOptions) {
    const { clock, rng } = options;
    this.logger = options.logger === false ? undefined : (options.logger ?? new Logger('DeepSeekPool'));
    this.store = options.store ?? new MemoryStateStore();
    this.transport = options.transport ?? new UndiciTransport();
    this.registry = new KeyRegistry(options.breaker, options.latencyDecayMs, clock, (slot, state) => {
      const event = state === 'open' ? 'breaker.open' : state === 'closed' ? 'breaker.close' : 'breaker.half-open';
      this.events.emit(event, { keyId: slot.id });
    });
    for (const key of options.keys) this.registry.add(key);
    this.router = new Router(createStrategy(options.strategy), rng, options.breaker.resetTimeoutMs);
    this.router.setSlots(this.registry.all);
    const limits = options.accountLimits;
    this.eligibility = {
      nowMs: clock.now(),
      store: this.store,
      accountLimit: (account) => limits.get(account) ?? Infinity,
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
        events: this.events,
        slotsOfAccount: (account) => this.registry.all.filter((slot) => slot.config.account === account),
      },
      budget: new RetryBudget(options.retryBudget, clock),
      clock,
      rng,
      events: this.events,
      metrics: options.metrics,
      maxAttempts: options.maxAttempts,
      requestTimeoutMs: options.timeouts.requestMs,
      attemptTimeoutMs: options.timeouts.attemptMs,
      maxWaitForKeyMs: options.maxWaitForKeyMs,
      backoff: options.backoff,
    });
    this.logEvents();
  }

  /**
   * One chat completion. Resolves with the upstream body unchanged (reasoning_content, tool_calls, usage with
   * cache tokens) and the attempt metadata; rejects with a typed DeepSeekPoolError.
   */
  async chat(request: ChatCompletionRequest, options: CallOptions = {}): Promise<PoolResult<ChatCompletion>> {
    validateChatRequest(request);
    const startedMs = this.options.clock.now();
    try {
      const result = await this.loop.run(request.model, options, false, (slot, control) =>
        exchangeChat(this.transport, slot, control, this.options.timeouts.firstByteMs, request, this.options.clock),
      );
      if (result.data.usage) this.recordUsage(this.registry.get(result.meta.keyId), request.model, result.data.usage);
      this.recordRequest(request.model, 'success', result.meta.attempts, startedMs, false);
      return result;
    } catch (error) {
      this.recordRequest(request.model, 'error', (error as { attempts?: unknown[] }).attempts?.length ?? 0, startedMs, false);
      throw error;
    }
  }

  /** The upstream model list, from any key that can answer. */
  async listModels(options: CallOptions = {}): Promise<PoolResult<ModelList>> {
    return this.loop.run(undefined, options, false, async (slot, control) => {
      const response = await openExchange(this.transport, slot, control, this.options.timeouts.firstByteMs, { method: 'GET', path: '/models' }, this.options.clock);
      control.arm('total');
      return (await readJsonBody(response.body)) as ModelList;
    });
  }

  /** Every key's state, by id and masked key. Reads local state only; never calls upstream; holds no secret. */
  snapshot(): PoolSnapshot {
    return snapshotPool(this.registry.all, this.eligibility.refresh(), this.options.strategy);
  }

  async onModuleDestroy(): Promise<void> {
    this.registry.shutdown();
    this.events.removeAllListeners();
    if (!this.options.transport) await this.transport.close();
    if (!this.options.store) await this.store.close();
  }

  private recordUsage(slot: KeySlot | undefined, model: string, usage: NonNullable<ChatCompletion['usage']>): void {
    if (!slot) return;
    slot.recordUsage(usage);
    this.options.metrics?.usage(slot.id, model, usage);
  }

  private recordRequest(model: string, outcome: 'success' | 'error', attempts: number, startedMs: number, stream: boolean): void {
    this.options.metrics?.request({ model, outcome, attempts, latencyMs: this.options.clock.now() - startedMs, stream });
  }

  private logEvents(): void {
    const logger = this.logger;
    if (!logger) return;
    this.events.on('key.disabled', ({ keyId, reason }) => logger.warn(`Key ${keyId} disabled: ${reason}`));
    this.events.on('key.enabled', ({ keyId }) => logger.log(`Key ${keyId} enabled`));
    this.events.on('breaker.open', ({ keyId }) => logger.warn(`Breaker of key ${keyId} opened`));
    this.events.on('breaker.close', ({ keyId }) => logger.log(`Breaker of key ${keyId} closed`));
  }
}
