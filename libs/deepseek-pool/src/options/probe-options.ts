import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { positiveInteger, positiveNumber } from './validation.js';

/** Which keys get `GET /user/balance`: `'auto'` = DeepSeek's official API only. */
export type BalanceMode = 'auto' | boolean;

/** Active probing of every key with free calls (`GET /models`, and `GET /user/balance` where it exists). */
export interface ProbeOptions {
  /** Time between two probes of one key. Default 10 000 ms. */
  intervalMs?: number;
  /** Each wait is `intervalMs * (1 ± jitter)`, uniform, so keys do not probe in lockstep. In [0, 1). Default 0.2. */
  jitter?: number;
  /** Failed probes in a row after which the key is marked down (its breaker opens). Default 3. */
  unhealthyAfter?: number;
  /**
   * Successful probes in a row after which a down key counts as recovered (it returns through half-open). Default 2.
   */
  healthyAfter?: number;
  /** Deadline of one probe call. Also the deadline of start-up validation. Default 5 000 ms. */
  timeoutMs?: number;
  /**
   * Which keys also get `GET /user/balance` (it detects an empty account and its top-up):
   * `'auto'` = keys on DeepSeek's official API only; `true` = every key (DeepSeek-compatible proxies, the mock);
   * `false` = none. Default `'auto'`.
   */
  balance?: BalanceMode;
}

/**
 * A tiny real completion per key on a schedule, to catch grey failures (slow or wrong answers) a models call misses.
 */
export interface SyntheticOptions {
  /** Time between two synthetic completions of one key (jittered like probes). */
  intervalMs: number;
  /**
   * Model to ask; use a cheap non-thinking one. Each key gets it under its `modelMap` name; keys that do not serve it
   * are skipped.
   */
  model: string;
  /** Synthetic requests allowed per key per UTC day. At least one daily budget is required. */
  dailyRequests?: number;
  /** Tokens (usage.total_tokens) allowed per key per UTC day. */
  dailyBudgetTokens?: number;
  /** Default `'Reply with the single word: pong'`. */
  prompt?: string;
  /** The answer must contain this (case-insensitive) and not be empty. Default `'pong'`. */
  expect?: string;
  /** Default 16. */
  maxTokens?: number;
  /** A slower answer counts as a failure. Default 30 000 ms. */
  timeoutMs?: number;
}

/**
 * Start-up key validation: `true` logs and disables rejected keys, `'require-one'` also fails the start when no key is
 * valid.
 */
export type ValidateOnStart = boolean | 'require-one';

export type ResolvedProbeOptions = Required<ProbeOptions>;

export type ResolvedSyntheticOptions = Required<Omit<SyntheticOptions, 'dailyRequests' | 'dailyBudgetTokens'>> & {
  dailyRequests: number;
  dailyBudgetTokens: number;
};

const SYNTHETIC_PATH = 'health.synthetic';

export const DEFAULT_PROBE_OPTIONS: Readonly<ResolvedProbeOptions> = Object.freeze({
  intervalMs: 10_000,
  jitter: 0.2,
  unhealthyAfter: 3,
  healthyAfter: 2,
  timeoutMs: 5_000,
  balance: 'auto',
});

/** Validates `health.probe` (`false` turns probing off); errors name the field. */
export function resolveProbeOptions(value: ProbeOptions | false | undefined): ResolvedProbeOptions | false {
  const path = 'health.probe';
  if (value === false) return false;
  const probe = { ...DEFAULT_PROBE_OPTIONS, ...object(value ?? {}, path) };
  if (typeof probe.jitter !== 'number' || !(probe.jitter >= 0 && probe.jitter < 1)) {
    throw new InvalidOptionsError(`${path}.jitter`, `must be a number in [0, 1) (got ${String(probe.jitter)})`);
  }
  if (probe.balance !== 'auto' && typeof probe.balance !== 'boolean') {
    throw new InvalidOptionsError(`${path}.balance`, `must be 'auto', true or false (got ${String(probe.balance)})`);
  }
  return {
    intervalMs: positiveNumber(probe.intervalMs, `${path}.intervalMs`),
    jitter: probe.jitter,
    unhealthyAfter: positiveInteger(probe.unhealthyAfter, `${path}.unhealthyAfter`),
    healthyAfter: positiveInteger(probe.healthyAfter, `${path}.healthyAfter`),
    timeoutMs: positiveNumber(probe.timeoutMs, `${path}.timeoutMs`),
    balance: probe.balance,
  };
}

/** Validates `health.synthetic` (off unless given); errors name the field. */
export function resolveSyntheticOptions(value: SyntheticOptions | false | undefined): ResolvedSyntheticOptions | false {
  const path = SYNTHETIC_PATH;
  if (value === undefined || value === false) return false;
  const synthetic = object(value, path);
  if (synthetic.dailyRequests === undefined && synthetic.dailyBudgetTokens === undefined) {
    throw new InvalidOptionsError(
      `${path}.dailyRequests`,
      `or ${path}.dailyBudgetTokens is required (synthetic traffic costs money)`,
    );
  }
  return {
    intervalMs: positiveNumber(synthetic.intervalMs, `${path}.intervalMs`),
    model: text(synthetic.model, `${path}.model`),
    dailyRequests:
      synthetic.dailyRequests === undefined
        ? Infinity
        : positiveInteger(synthetic.dailyRequests, `${path}.dailyRequests`),
    dailyBudgetTokens:
      synthetic.dailyBudgetTokens === undefined
        ? Infinity
        : positiveInteger(synthetic.dailyBudgetTokens, `${path}.dailyBudgetTokens`),
    prompt: text(synthetic.prompt ?? 'Reply with the single word: pong', `${path}.prompt`),
    expect: expectation(synthetic.expect ?? 'pong'),
    maxTokens: positiveInteger(synthetic.maxTokens ?? 16, `${path}.maxTokens`),
    timeoutMs: positiveNumber(synthetic.timeoutMs ?? 30_000, `${path}.timeoutMs`),
  };
}

/** Validates `health.validateOnStart` (default `true`). */
export function resolveValidateOnStart(value: ValidateOnStart | undefined): ValidateOnStart {
  const given: unknown = value; // not type-checked in JavaScript callers
  if (given === undefined) return true;
  if (typeof given === 'boolean' || given === 'require-one') return given;
  throw new InvalidOptionsError(
    'health.validateOnStart',
    `must be true, false or 'require-one' (got ${String(value)})`,
  );
}

function object<T extends object>(value: T, field: string): T {
  const given: unknown = value; // not type-checked in JavaScript callers
  if (given === null || typeof given !== 'object' || Array.isArray(value))
    throw new InvalidOptionsError(field, 'must be an object or false');
  return value;
}

function expectation(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidOptionsError(`${SYNTHETIC_PATH}.expect`, 'must be a string');
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidOptionsError(field, 'must be a non-empty string');
  return value;
}
