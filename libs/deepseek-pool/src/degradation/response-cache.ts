import type { LoggerService } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionRequest } from '../chat.types.js';
import type { Clock } from '../clock.js';
import { cacheKey, isRecord } from './cache-key.js';
import { errorMessage } from '../deepseek-pool.errors.js';

/** Finish reasons of an answer that ended normally. */
const COMPLETE_FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'length', 'tool_calls']);

/** One stored answer: the upstream body unchanged, and when it was stored (by the injected clock). */
interface CacheEntry {
  completion: ChatCompletion;
  storedAtMs: number;
}

/**
 * What the degradation layer needs of a cache: a cache-manager `Cache` (the app's `CACHE_MANAGER`) fits. Declared
 * here rather than imported so the main entry's types do not require the optional @nestjs/cache-manager peer.
 */
export interface ResponseCacheStore {
  /** The cached value of `key`, or undefined. */
  get(key: string): Promise<unknown>;
  /** Stores `value` under `key` for `ttl` ms (the store's default when absent). */
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
}

export interface ResponseCacheSettings {
  ttlMs: number;
  keyPrefix: string;
  cacheNonDeterministic: boolean;
}

/**
 * Whether answers to a request may be cached at all: only within a tenant scope, and only at temperature 0 unless
 * non-deterministic answers are opted in (no temperature means DeepSeek's default, 1).
 */
export function mayCache(
  request: ChatCompletionRequest,
  tenant: string | undefined,
  cacheNonDeterministic: boolean,
): boolean {
  return tenant !== undefined && (cacheNonDeterministic || request.temperature === 0);
}

/** Whether a body is a complete, successful answer: every choice ended normally with content or tool calls. */
export function isCompleteAnswer(value: unknown): value is ChatCompletion {
  if (!isRecord(value) || !Array.isArray(value.choices) || value.choices.length === 0) return false;
  return value.choices.every((choice: unknown) => {
    if (!isRecord(choice) || !isRecord(choice.message)) return false;
    const { content, tool_calls: toolCalls } = choice.message;
    const answered =
      (typeof content === 'string' && content.trim() !== '') || (Array.isArray(toolCalls) && toolCalls.length > 0);
    return answered && COMPLETE_FINISH_REASONS.has(String(choice.finish_reason));
  });
}

/**
 * Stale-if-error store of good answers, through cache-manager (memory, Keyv/Redis...). Entries are scoped by tenant
 * and expire after `ttlMs` by the injected clock (and by the store's own TTL). A failing store never fails a request.
 */
export class ResponseCache {
  constructor(
    private readonly cache: ResponseCacheStore,
    private readonly settings: ResponseCacheSettings,
    private readonly clock: Clock,
    private readonly logger: LoggerService | undefined,
  ) {}

  /** Whether this request can be stored and served in this scope. */
  covers(request: ChatCompletionRequest, tenant: string | undefined): tenant is string {
    return mayCache(request, tenant, this.settings.cacheNonDeterministic);
  }

  /** Stores a fresh answer if it is complete and the request is covered. */
  async store(request: ChatCompletionRequest, tenant: string | undefined, answer: unknown): Promise<void> {
    if (!this.covers(request, tenant) || !isCompleteAnswer(answer)) return;
    const entry: CacheEntry = { completion: answer, storedAtMs: this.clock.now() };
    try {
      await this.cache.set(cacheKey(request, tenant, this.settings.keyPrefix), entry, this.settings.ttlMs);
    } catch (error) {
      this.logger?.warn(`Degradation cache write failed: ${errorMessage(error)}`);
    }
  }

  /** The last good answer to this request in this scope, if stored within the TTL. */
  async lookup(request: ChatCompletionRequest, tenant: string | undefined): Promise<ChatCompletion | undefined> {
    if (!this.covers(request, tenant)) return undefined;
    let entry: unknown;
    try {
      entry = await this.cache.get(cacheKey(request, tenant, this.settings.keyPrefix));
    } catch (error) {
      this.logger?.warn(`Degradation cache read failed: ${errorMessage(error)}`);
      return undefined;
    }
    if (!isRecord(entry) || typeof entry.storedAtMs !== 'number' || !isCompleteAnswer(entry.completion))
      return undefined;
    return this.clock.now() - entry.storedAtMs <= this.settings.ttlMs ? entry.completion : undefined;
  }
}
