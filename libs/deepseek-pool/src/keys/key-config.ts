import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { parseUsageLimits } from '../limits/limit-options.js';
import type { UsageLimits } from '../limits/usage-window.js';
import {
  flag,
  integer,
  isList,
  nonEmptyString,
  normalizeBaseUrl,
  positiveInteger,
  positiveNumber,
  stringList,
  stringRecord,
} from '../options/validation.js';
import { CONTINUATION_MODES, type ContinuationMode, defaultContinuation } from './continuation-mode.js';
import { maskKey } from '../redaction/mask.js';

/** Models DeepSeek documents `reasoning_content` as a prefix for (chat prefix completion, thinking mode). */
const DEFAULT_REASONING_PREFIX_MODELS = ['deepseek-reasoner'];

/** One upstream key as the user configures it. */
export interface KeyOptions {
  /** Stable public name for logs, metrics and health; default `key-<n>` (never derived from the secret). */
  id?: string;
  /** The secret. Never logged: errors, logs, metrics and health name the key by `id` or masked. */
  apiKey: string;
  /** Default: the pool's `defaultBaseUrl` (https://api.deepseek.com). */
  baseUrl?: string;
  /** Relative capacity share, > 0. Default 1. */
  weight?: number;
  /** Priority: lower is tried first; a higher priority serves only when no key of a lower one can. Default 0. */
  priority?: number;
  /** Keys of one account share its concurrency limit and balance (DeepSeek counts per account). Default: the key id. */
  account?: string;
  /** In-flight cap for this key. Default unlimited. */
  maxConcurrency?: number;
  /** Models this key serves (after modelMap). Default: any. */
  models?: string[];
  /** Requested model -> the name this upstream serves it under (for self-hosted or reseller instances). */
  modelMap?: Record<string, string>;
  /** Extra headers sent to this upstream (e.g. a reseller's org header). */
  headers?: Record<string, string>;
  /**
   * Requests per minute, tokens per minute, tokens per UTC day for this key; over one, the key rests until the window
   * allows.
   */
  limits?: UsageLimits;
  /**
   * How this upstream continues a stream that broke after content: `'deepseek-prefix'` (chat prefix completion on the
   * `/beta` base URL), `'continue-final-message'` (vLLM, SGLang) or `false`. Default: `'deepseek-prefix'` on
   * api.deepseek.com, `false` elsewhere (a server that ignored the flag would repeat text).
   */
  continuation?: ContinuationMode | false;
  /**
   * Upstream models whose reasoning this key continues (`reasoning_content` as prefix; deepseek-prefix only). Default
   * `['deepseek-reasoner']` with deepseek-prefix.
   */
  reasoningPrefixModels?: string[];
  /** `gen_ai.provider.name` in traces and metrics. Default `deepseek`. */
  provider?: string;
  /** Send the W3C `traceparent` to this upstream. Default: the pool's `telemetry.traceContext`. */
  traceContext?: boolean;
}

/** A validated key with every default applied. */
export interface KeyConfig {
  id: string;
  apiKey: string;
  masked: string;
  baseUrl: string;
  weight: number;
  priority: number;
  account: string;
  maxConcurrency: number;
  models: ReadonlySet<string> | undefined;
  modelMap: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  /** Absent when the key has no rate or quota limit. */
  limits?: Readonly<UsageLimits>;
  continuation: ContinuationMode | false;
  reasoningPrefixModels: ReadonlySet<string>;
  provider: string;
  /** Absent: the pool's `telemetry.traceContext` decides. */
  traceContext?: boolean;
}

/** `keys` option: a comma-separated string of API keys, or an array of API keys and KeyOptions. */
export type KeysInput = string | ReadonlyArray<string | KeyOptions>;

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Parses `sk-a,sk-b` or an array of strings / KeyOptions into validated KeyConfigs; errors name the field.
 * `existing` keys (run-time additions) count for uniqueness and default ids, never for error indexes.
 */
export function parseKeys(input: KeysInput, defaultBaseUrl: string, existing: readonly KeyConfig[] = []): KeyConfig[] {
  const list = typeof input === 'string' ? splitKeyList(input) : input;
  if (!isList(list)) throw new InvalidOptionsError('keys', 'must be a comma-separated string or an array');
  if (list.length === 0) throw new InvalidOptionsError('keys', 'is empty: give at least one API key');
  const configs = list.map((entry, index) => toKeyConfig(entry, index, existing.length + index, defaultBaseUrl));
  const all = [...existing, ...configs];
  const fieldAt = (name: string) => (index: number) => `keys[${index - existing.length}].${name}`;
  assertUnique(
    all,
    (k) => k.id,
    fieldAt('id'),
    (k) => `duplicate id "${k.id}"`,
  );
  assertUnique(
    all,
    (k) => `${k.baseUrl} ${k.apiKey}`,
    fieldAt('apiKey'),
    (k) => `duplicate key ${k.masked} for ${k.baseUrl}`,
  );
  return configs;
}

function splitKeyList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function toKeyConfig(entry: string | KeyOptions, index: number, position: number, defaultBaseUrl: string): KeyConfig {
  const field = `keys[${index}]`;
  const options: KeyOptions = typeof entry === 'string' ? { apiKey: entry } : entry;
  const given: unknown = options; // not type-checked in JavaScript callers
  if (given === null || typeof given !== 'object')
    throw new InvalidOptionsError(field, 'must be a string or an object');
  const apiKey = options.apiKey;
  if (typeof apiKey !== 'string' || apiKey.trim() === '')
    throw new InvalidOptionsError(`${field}.apiKey`, 'must be a non-empty string');
  if (/\s/.test(apiKey))
    throw new InvalidOptionsError(`${field}.apiKey`, `must not contain whitespace (${maskKey(apiKey)})`);
  const id = options.id ?? `key-${position + 1}`;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new InvalidOptionsError(`${field}.id`, 'must be 1-64 characters of letters, digits, . _ : -');
  }
  if (id === apiKey) throw new InvalidOptionsError(`${field}.id`, 'must not be the API key itself');
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? defaultBaseUrl, `${field}.baseUrl`);
  const continuation = continuationMode(options.continuation ?? defaultContinuation(baseUrl), `${field}.continuation`);
  return {
    id,
    apiKey,
    masked: maskKey(apiKey),
    baseUrl,
    continuation,
    reasoningPrefixModels: reasoningPrefixModels(
      options.reasoningPrefixModels,
      continuation,
      `${field}.reasoningPrefixModels`,
    ),
    weight: positiveNumber(options.weight ?? 1, `${field}.weight`),
    priority: integer(options.priority ?? 0, `${field}.priority`),
    account: nonEmptyString(options.account ?? id, `${field}.account`),
    maxConcurrency:
      options.maxConcurrency === undefined
        ? Infinity
        : positiveInteger(options.maxConcurrency, `${field}.maxConcurrency`),
    models: options.models === undefined ? undefined : new Set(stringList(options.models, `${field}.models`)),
    modelMap: stringRecord(options.modelMap ?? {}, `${field}.modelMap`),
    headers: stringRecord(options.headers ?? {}, `${field}.headers`),
    limits: parseUsageLimits(options.limits, `${field}.limits`),
    provider: nonEmptyString(options.provider ?? 'deepseek', `${field}.provider`),
    ...(options.traceContext === undefined
      ? {}
      : { traceContext: flag(options.traceContext, `${field}.traceContext`) }),
  };
}

function continuationMode(value: unknown, field: string): ContinuationMode | false {
  if (value === false || CONTINUATION_MODES.includes(value as ContinuationMode))
    return value as ContinuationMode | false;
  throw new InvalidOptionsError(field, `must be ${CONTINUATION_MODES.map((mode) => `'${mode}'`).join(', ')} or false`);
}

function reasoningPrefixModels(
  value: unknown,
  continuation: ContinuationMode | false,
  field: string,
): ReadonlySet<string> {
  if (value === undefined) return new Set(continuation === 'deepseek-prefix' ? DEFAULT_REASONING_PREFIX_MODELS : []);
  const models = stringList(value, field);
  if (models.length > 0 && continuation !== 'deepseek-prefix')
    throw new InvalidOptionsError(
      field,
      "needs continuation 'deepseek-prefix' (only chat prefix completion takes reasoning_content)",
    );
  return new Set(models);
}

function assertUnique<T>(
  items: T[],
  keyOf: (item: T) => string,
  fieldOf: (index: number) => string,
  problem: (item: T) => string,
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (seen.has(key)) throw new InvalidOptionsError(fieldOf(index), problem(item));
    seen.add(key);
  });
}
