import type { Clock } from '../clock.js';
import { UnknownKeyError } from '../deepseek-pool.errors.js';
import type { PoolEvents } from '../deepseek-pool.events.js';
import { servedModels } from '../deepseek-pool.options.js';
import { type KeyConfig, type KeyOptions, parseKeys } from '../keys/key-config.js';
import { type DirectCallResult, callKeyDirectly } from '../transport/direct-call.js';
import type { KeyRegistry } from '../keys/key-registry.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { ModelLabels } from '../metrics/model-labels.js';
import { type KeySnapshot, type PoolSnapshot, snapshotKey, snapshotPool } from '../pool-snapshot.js';
import type { Redactor } from '../redaction/redactor.js';
import type { DisableReason } from '../resilience/outcome.js';
import type { EligibilityContext } from '../routing/eligibility.js';
import type { Router } from '../routing/router.js';
import type { StrategyName } from '../routing/strategy.js';
import { type PoolStateStore, keyScope } from '../state/pool-state-store.js';
import type { Transport } from '../transport/transport.js';

/** A key's settings without its secret, as `exportKeys()` gives them: what recreates it, plus the masked key. */
export type ExportedKey = Omit<KeyOptions, 'apiKey'> & { maskedKey: string };

/** The reasons an operator (or a prober) may give for disabling a key. */
export type ManualDisableReason = DisableReason | 'manual';

/** What the key set works with: its parts, built once by `createPoolCore`. */
export interface PoolKeysDeps {
  registry: KeyRegistry;
  router: Router<KeySlot>;
  store: PoolStateStore;
  transport: Transport;
  events: PoolEvents;
  redactor: Redactor;
  modelLabels: ModelLabels;
  clock: Clock;
  strategy: StrategyName;
  defaultBaseUrl: string;
  maxResponseBytes: number;
  /** The eligibility facts as of now (a fresh context on every call). */
  eligibility: () => EligibilityContext;
}

/**
 * The pool's key set: its state (snapshots), its administration (add, remove, replace, disable, enable, export) and
 * the direct per-key operations health checks use (probe, mark down, observe latency). Unknown ids throw
 * DeepSeekPoolError `UNKNOWN_KEY`.
 */
export class PoolKeys {
  constructor(private readonly deps: PoolKeysDeps) {}

  /** Every key's slot, in insertion order. */
  get slots(): KeySlot[] {
    return this.deps.registry.all;
  }

  /** The slot of key `id`, or undefined for an unknown id. O(1). */
  find(id: string): KeySlot | undefined {
    return this.deps.registry.get(id);
  }

  /** One key's state (as in `snapshot()`), or undefined for an unknown id. O(1). */
  keySnapshot(id: string): KeySnapshot | undefined {
    const slot = this.deps.registry.get(id);
    return slot && snapshotKey(slot, this.deps.eligibility());
  }

  /** Every key's state, by id and masked key. Reads local state only; holds no secret. */
  snapshot(): PoolSnapshot {
    return snapshotPool(this.deps.registry.all, this.deps.eligibility(), this.deps.strategy);
  }

  /** Adds several keys at once: all are validated first, so a bad entry adds none. */
  addKeys(list: ReadonlyArray<KeyOptions | string>): KeySnapshot[] {
    const { registry, defaultBaseUrl } = this.deps;
    const configs = parseKeys(
      list,
      defaultBaseUrl,
      registry.all.map((slot) => slot.config),
    );
    this.learnKeys(configs);
    const slots = configs.map((config) => registry.add(config));
    this.deps.router.setSlots(registry.all);
    return slots.map((slot) => snapshotKey(slot, this.deps.eligibility()));
  }

  /** Stops routing to a key, waits for its in-flight requests (up to `drainTimeoutMs`), then removes it. */
  async removeKey(id: string, drainTimeoutMs: number): Promise<void> {
    const { clock, registry, store } = this.deps;
    const slot = this.slot(id);
    slot.draining = true;
    const giveUpMs = clock.now() + drainTimeoutMs;
    while (slot.inFlight > 0 && clock.now() < giveUpMs) await new Promise((resolve) => setTimeout(resolve, 25));
    registry.remove(id);
    this.deps.router.setSlots(registry.all);
    store.enable(id);
    store.clearCooldown(keyScope(id));
  }

  /** Rotates a key's secret: same id and settings, fresh breaker, cleared state. */
  replaceKey(id: string, apiKey: string): KeySnapshot {
    const { registry } = this.deps;
    const old = this.slot(id);
    const [secret] = parseKeys([{ id, apiKey }], old.config.baseUrl);
    this.learnKeys([secret]);
    registry.remove(id);
    const slot = registry.add({ ...old.config, apiKey: secret.apiKey, masked: secret.masked });
    this.deps.router.setSlots(registry.all);
    this.enableKey(id);
    return snapshotKey(slot, this.deps.eligibility());
  }

  /** Takes a key out of rotation until `enableKey`. */
  disableKey(id: string, reason: ManualDisableReason): void {
    this.slot(id);
    this.deps.store.disable(id, { reason, sinceMs: this.deps.clock.now() });
    this.deps.events.emit('key.disabled', { keyId: id, reason });
  }

  /** Puts a disabled or cooling key back into rotation now: clears its disable and its cooldown. */
  enableKey(id: string): void {
    const { store, clock, events } = this.deps;
    const slot = this.slot(id);
    const scope = keyScope(id);
    const cooling = store.cooldownUntil(scope) > clock.now();
    if (store.disabled(id) === undefined && !cooling) return;
    store.enable(id);
    store.clearCooldown(scope);
    slot.consecutiveRateLimits = 0;
    events.emit('key.enabled', { keyId: id });
  }

  /** Every key's settings without its secret: what it takes to recreate the pool, plus the masked key. */
  exportKeys(): ExportedKey[] {
    return this.deps.registry.all.map(({ config }) => ({
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

  /** Opens a key's breaker now (a prober saw it fail): it comes back through half-open probes. */
  markKeyDown(id: string): void {
    this.slot(id).breaker.open();
  }

  /** Feeds a latency measured outside the pool (synthetic traffic) into the key's peak-EWMA, which routing reads. */
  observeLatency(id: string, latencyMs: number): void {
    this.slot(id).latency.observe(latencyMs);
  }

  /** One direct call to one key (no routing, retry or breaker): for health probes and start-up validation. */
  callKeyDirectly(
    id: string,
    request: { method: 'GET' | 'POST'; path: string; body?: unknown },
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<DirectCallResult> {
    const { transport, clock, redactor, maxResponseBytes } = this.deps;
    return callKeyDirectly(transport, this.slot(id), request, timeoutMs, clock, redactor, signal, maxResponseBytes);
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

  /** The slot of key `id`; throws DeepSeekPoolError `UNKNOWN_KEY` for an unknown id. */
  slot(id: string): KeySlot {
    const slot = this.deps.registry.get(id);
    if (!slot) throw new UnknownKeyError(id);
    return slot;
  }

  /**
   * Run-time keys: their secrets are redacted from then on (a replaced one too: it may still be echoed), their models
   * labelled.
   */
  private learnKeys(configs: readonly KeyConfig[]): void {
    this.deps.redactor.add(...configs.map((config) => config.apiKey));
    this.deps.modelLabels.learn(configs.flatMap(servedModels));
  }
}
