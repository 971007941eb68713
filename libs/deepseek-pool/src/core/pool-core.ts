import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PoolEvents } from '../deepseek-pool.events.js';
import type { ResolvedPoolOptions } from '../deepseek-pool.options.js';
import { KeyRegistry } from '../keys/key-registry.js';
import type { KeySlot } from '../keys/key-slot.js';
import { QuotaGuard } from '../limits/quota-guard.js';
import { UsageMeter } from '../limits/usage-meter.js';
import { redactedLogger } from '../redaction/redacting-logger.js';
import type { Redactor } from '../redaction/redactor.js';
import { AttemptLoop } from '../resilience/attempt-loop.js';
import { Hedging } from '../resilience/hedging.js';
import type { BreakerState } from '../keys/key-breaker.js';
import { RetryBudget } from '../resilience/retry-budget.js';
import { AccountLimits } from '../routing/account-limits.js';
import { cooldownEnd } from '../routing/eligibility.js';
import { Router } from '../routing/router.js';
import { createStrategy } from '../routing/strategies.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import type { PoolStateStore } from '../state/pool-state-store.js';
import { type CallTracer, NOOP_TELEMETRY } from '../resilience/call-trace.js';
import { loadOtelApi } from '../telemetry/otel-api.js';
import { PoolTelemetry } from '../telemetry/pool-telemetry.js';
import type { ExchangeLimits } from '../transport/exchange-limits.js';
import { UndiciTransport } from '../transport/undici.transport.js';
import { type EligibilityFacts, eligibilityNow, loopEligibility } from './eligibility-view.js';
import { PoolCalls } from './pool-calls.js';
import { logPoolEvents } from './pool-event-log.js';
import { PoolKeys } from './pool-keys.js';

/**
 * The pool's internals, shared by DeepSeekPoolService, DeepSeekPoolAdmin, the prober, the health indicator and the
 * degradation layer: its key set (`keys`) and its calls (`calls`). Built by `createPoolCore`; owns the transport and
 * state store it created (closed by `close()`), never those given in the options.
 */
export class PoolCore implements OnModuleInit, OnModuleDestroy {
  private closing: Promise<void> | undefined;

  constructor(
    /** The validated options the pool runs on. */
    readonly options: ResolvedPoolOptions,
    /** Observer events: key disabled / cooled, breaker open / half-open / close, retry. */
    readonly events: PoolEvents,
    readonly keys: PoolKeys,
    readonly calls: PoolCalls,
    /** Resolves once OpenTelemetry is wired (or known to be absent). */
    readonly ready: Promise<void>,
    private readonly shutdown: () => Promise<void>,
  ) {}

  /** Redacts every configured key (and the secrets given in the options) from a text. */
  get redactor(): Redactor {
    return this.options.redactor;
  }

  /** The bounds enforced on every exchange (`limits`, defaults applied). */
  get limits(): Readonly<ExchangeLimits> {
    return this.options.limits;
  }

  /** Nest awaits telemetry and the state store's start before serving. */
  onModuleInit(): Promise<void> {
    return this.ready;
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  /** Stops every timer and listener and closes the transport and store the pool created. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }
}

/** Builds the pool's parts from validated options: keys routable at once, telemetry wired in the background. */
export function createPoolCore(options: ResolvedPoolOptions): PoolCore {
  const { clock, rng, redactor } = options;
  const events = new PoolEvents();
  const store: PoolStateStore = options.store ?? new MemoryStateStore();
  const transport = options.transport ?? new UndiciTransport();
  const registry = new KeyRegistry(options.breaker, options.latencyDecayMs, clock, (slot, state) =>
    events.emit(breakerEvent(state), { keyId: slot.id }),
  );
  for (const key of options.keys) registry.add(key);
  const router = new Router<KeySlot>(createStrategy(options.strategy), rng, options.breaker.resetTimeoutMs);
  router.setSlots(registry.all);
  const accountLimits = new AccountLimits(options.accountLimits, clock, options.cooldown.maxMs);
  const quota = new QuotaGuard(store, options.accountUsageLimits);
  const meter = new UsageMeter(store, quota, clock, (crossing) => events.emit('quota.threshold', crossing));
  forwardStoreChanges(store, events);
  const facts: EligibilityFacts = { store, quota, accountLimit: (account) => accountLimits.limit(account) };
  const keys = new PoolKeys({
    registry,
    router,
    store,
    transport,
    events,
    redactor,
    modelLabels: options.modelLabels,
    clock,
    strategy: options.strategy,
    defaultBaseUrl: options.defaultBaseUrl,
    maxResponseBytes: options.limits.maxResponseBytes,
    eligibility: eligibilityNow(clock, facts),
  });
  const loop = new AttemptLoop({
    router,
    eligibility: loopEligibility(clock, facts),
    actions: {
      store,
      clock,
      rng,
      cooldown: options.cooldown,
      backoff: options.backoff,
      events,
      slotsOfAccount: (account) => registry.all.filter((slot) => slot.config.account === account),
      learnAccountLimit: (account, limit) => accountLimits.learn(account, limit),
    },
    budget: new RetryBudget(options.retryBudget, clock),
    clock,
    rng,
    events,
    metrics: options.metrics,
    hedging: options.hedging.enabled ? new Hedging(options.hedging, clock) : undefined,
    maxAttempts: options.maxAttempts,
    requestTimeoutMs: options.timeouts.requestMs,
    attemptTimeoutMs: options.timeouts.attemptMs,
    maxWaitForKeyMs: options.maxWaitForKeyMs,
    backoff: options.backoff,
    redactor,
  });
  let tracer: CallTracer = NOOP_TELEMETRY;
  let closed = false;
  const calls = new PoolCalls({
    loop,
    keys,
    meter,
    transport,
    settings: options,
    tracer: () => tracer,
    continuation: {
      settings: options.continuation,
      charsPerToken: options.tokenEstimate.charsPerToken,
      clock,
      events,
      metrics: options.metrics,
    },
  });
  logPoolEvents(events, redactedLogger(options.logger, 'DeepSeekPool', redactor));
  const telemetryReady = startTelemetry(options, keys, store, () => closed).then((started) => {
    if (started) tracer = started;
  });
  // The store opens its connections here, not in its constructor (a Redis store: `start()`).
  const ready = Promise.all([telemetryReady, store.start?.()]).then(() => undefined);
  return new PoolCore(options, events, keys, calls, ready, async () => {
    closed = true;
    tracer.close();
    registry.shutdown();
    events.removeAllListeners();
    if (!options.transport) await transport.close();
    if (!options.store) await store.close();
  });
}

function breakerEvent(state: BreakerState): 'breaker.open' | 'breaker.close' | 'breaker.half-open' {
  return state === 'open' ? 'breaker.open' : state === 'closed' ? 'breaker.close' : 'breaker.half-open';
}

function forwardStoreChanges(store: PoolStateStore, events: PoolEvents): void {
  store.onChange((change) => {
    if (change.type === 'store-degraded') events.emit('store.degraded', { error: change.error });
    if (change.type === 'store-recovered') events.emit('store.recovered', { downMs: change.downMs });
  });
}

/**
 * Loads `@opentelemetry/api` if installed and builds the tracer (spans and metrics), unless `telemetry: false` or
 * the pool closed meanwhile.
 */
async function startTelemetry(
  options: ResolvedPoolOptions,
  keys: PoolKeys,
  store: PoolStateStore,
  closed: () => boolean,
): Promise<CallTracer | undefined> {
  const settings = options.telemetry;
  if (settings === false) return undefined;
  const api = await loadOtelApi();
  if (api === undefined || closed()) return undefined;
  return new PoolTelemetry(api, settings, {
    clock: options.clock,
    redact: (text) => options.redactor.redact(text),
    cooldownEnd: (slot: KeySlot) => cooldownEnd(slot, { store }),
    snapshot: () => keys.snapshot(),
  });
}
