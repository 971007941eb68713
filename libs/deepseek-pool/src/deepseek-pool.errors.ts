// Errors are contracts at the bottom of the library: this file imports types only, never a decision module.
import type { Outcome } from './resilience/outcome.js';

/** One upstream attempt, as reported to callers and in errors (never holds a secret). */
export interface AttemptRecord {
  /** Id of the key the attempt went to (never the key itself). */
  keyId: string;
  /** `lost`: aborted because another attempt of the call answered first (a hedge race); never a failure of its key. */
  outcome: 'success' | 'lost' | Outcome['kind'];
  /** HTTP status the upstream sent, when it sent one. */
  status?: number;
  /** Time from sending to the outcome, ms. */
  latencyMs: number;
  /** The attempt was a hedge: sent while an earlier attempt was still waiting for its answer. */
  hedge?: true;
  /** The attempt continued a stream that broke after content (chat prefix completion on another key). */
  continuation?: true;
}

/** The stable, machine-readable `code` of every DeepSeekPoolError; each has its own class. */
export type DeepSeekPoolErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_REQUEST'
  | 'UPSTREAM_ERROR'
  | 'NO_AVAILABLE_KEY'
  | 'ATTEMPTS_EXHAUSTED'
  | 'DEADLINE_EXCEEDED'
  | 'ABORTED'
  | 'STREAM_INTERRUPTED'
  | 'CLIENT_STALLED'
  | 'UNKNOWN_KEY'
  | 'NO_VALID_KEY'
  | 'NO_DEGRADER'
  | 'NO_POOL'
  | 'MISSING_PEER'
  | 'POOL_BREAKER_OPEN'
  | 'DEGRADED_UNAVAILABLE';

/** Base class of every error the pool throws: match on the subclass (`instanceof`); `code` names it for logs. */
export abstract class DeepSeekPoolError extends Error {
  constructor(
    message: string,
    /** Stable machine-readable name of the error (one per class). */
    readonly code: DeepSeekPoolErrorCode,
    /** The upstream attempts made before the error, in order (empty when none was made). */
    readonly attempts: readonly AttemptRecord[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The attempts an error carries: a DeepSeekPoolError's, none for anything else. */
export function attemptsOf(error: unknown): readonly AttemptRecord[] {
  return error instanceof DeepSeekPoolError ? error.attempts : [];
}

/** The message of anything thrown (an Error's message, else its string form), for logs and error texts. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A retry hint (ms, the unit of every error's `retryAfterMs`) as an HTTP `Retry-After` value: whole seconds rounded
 * up, at least 1 (also when there is no hint).
 */
export function retryAfterSeconds(retryAfterMs: number | undefined): number {
  return Math.max(1, Math.ceil((retryAfterMs ?? 0) / 1000));
}

/** An option is invalid: thrown at start, names the field. */
export class InvalidOptionsError extends DeepSeekPoolError {
  constructor(
    /** Path of the invalid option, e.g. `retry.maxAttempts`. */
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid DeepSeekPool option "${field}": ${problem}`, 'INVALID_OPTIONS');
  }
}

/** The request body is invalid: rejected before any upstream call. */
export class InvalidRequestError extends DeepSeekPoolError {
  /** HTTP status to answer with: 400. */
  readonly status = 400;
  constructor(
    /** Path of the invalid request field, e.g. `messages`. */
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid chat request: "${field}" ${problem}`, 'INVALID_REQUEST');
  }
}

/** The upstream answered with an error, timed out or broke the protocol; carries its status and error body. */
export class UpstreamError extends DeepSeekPoolError {
  constructor(
    message: string,
    /** What went wrong: an HTTP status, a timeout, a network error or a protocol error. */
    readonly outcome: Outcome,
    /** Id of the key that failed. */
    readonly keyId: string,
    /** The upstream's error envelope (`{ error: { message, type, param, code } }`) when it sent one. */
    readonly body: unknown,
    attempts: readonly AttemptRecord[] = [],
  ) {
    super(message, 'UPSTREAM_ERROR', attempts);
  }

  /** HTTP status the upstream sent, when it sent one. */
  get status(): number | undefined {
    return this.outcome.kind === 'http' ? this.outcome.status : undefined;
  }
}

/** No key can serve now (all disabled, cooling, open or saturated); `retryAfterMs` is the earliest recovery. */
export class NoAvailableKeyError extends DeepSeekPoolError {
  constructor(
    message: string,
    /** Ms until the earliest key may serve again, when known. */
    readonly retryAfterMs: number | undefined,
    /** True when every candidate is out for rate limiting (cooling / saturated), not for failures. */
    readonly rateLimited: boolean,
    attempts: readonly AttemptRecord[] = [],
  ) {
    super(message, 'NO_AVAILABLE_KEY', attempts);
  }
}

/** Every allowed attempt failed (attempts, retry budget or deadline ran out). `lastError` is the final failure. */
export class AttemptsExhaustedError extends DeepSeekPoolError {
  constructor(
    message: string,
    /** The last attempt's failure. */
    readonly lastError: UpstreamError,
    /** Ms until the earliest key now out (cooling, open, over a limit) may serve the model again, when known. */
    readonly retryAfterMs: number | undefined,
    attempts: readonly AttemptRecord[],
  ) {
    super(message, 'ATTEMPTS_EXHAUSTED', attempts);
  }
}

/** The caller's deadline passed before an answer arrived. */
export class DeadlineExceededError extends DeepSeekPoolError {
  constructor(timeoutMs: number, attempts: readonly AttemptRecord[]) {
    super(`No answer within the ${timeoutMs} ms deadline`, 'DEADLINE_EXCEEDED', attempts);
  }
}

/** The caller aborted the request (signal); the upstream request was cancelled. */
export class RequestAbortedError extends DeepSeekPoolError {
  constructor(attempts: readonly AttemptRecord[] = []) {
    super('The request was aborted by the caller', 'ABORTED', attempts);
  }
}

/** Why a broken stream ends with StreamInterruptedError instead of being continued. */
export type NotContinuedReason =
  | 'disabled'
  | 'aborted'
  | 'n'
  | 'logprobs'
  | 'tool-calls'
  | 'max-continuations'
  | 'deadline'
  | 'no-capable-key'
  | 'continuation-failed';

/**
 * A stream broke after content had reached the caller and was not continued on another key; `notContinued` says why
 * (continuation off, a request or stream that cannot be continued, no key able to, or the continuation failed too).
 */
export class StreamInterruptedError extends DeepSeekPoolError {
  constructor(
    message: string,
    /** Id of the key whose stream broke. */
    readonly keyId: string,
    /** What broke the stream. */
    readonly outcome: Outcome,
    attempts: readonly AttemptRecord[],
    /** Why the stream was not continued on another key. */
    readonly notContinued?: NotContinuedReason,
  ) {
    super(message, 'STREAM_INTERRUPTED', attempts);
  }
}

/**
 * The stream's reader stopped reading for longer than `limits.maxClientStallMs`: the stream was ended as the
 * caller's fault (the upstream request cancelled, the key not blamed).
 */
export class ClientStalledError extends DeepSeekPoolError {
  constructor(stallMs: number, attempts: readonly AttemptRecord[] = []) {
    super(
      `The stream's reader stopped reading for ${stallMs} ms (limits.maxClientStallMs): the stream was ended`,
      'CLIENT_STALLED',
      attempts,
    );
  }
}

/** No key has this id (admin calls: enable, disable, probe, replace...). */
export class UnknownKeyError extends DeepSeekPoolError {
  constructor(
    /** The id that matched no key. */
    readonly keyId: string,
  ) {
    super(`No key with id "${keyId}"`, 'UNKNOWN_KEY');
  }
}

/** `validateOnStart: 'require-one'` and no key answered as valid: the start is stopped. */
export class NoValidKeyError extends DeepSeekPoolError {
  constructor(summary: string) {
    super(`No valid DeepSeek key at start (health.validateOnStart: 'require-one'): ${summary}`, 'NO_VALID_KEY');
  }
}

/** `chat(..., { degrade: true })` without DeepSeekDegradationModule imported. */
export class NoDegraderError extends DeepSeekPoolError {
  constructor(call: 'chat' | 'stream' = 'chat') {
    super(`${call}({ degrade: true }) needs DeepSeekDegradationModule to be imported`, 'NO_DEGRADER');
  }
}

/** A component that needs the pool (the health indicator) found no DeepSeekPoolModule in the app. */
export class NoPoolError extends DeepSeekPoolError {
  constructor(component: string) {
    super(`${component} needs DeepSeekPoolModule.forRoot(...) or forRootAsync(...) in the app`, 'NO_POOL');
  }
}

/** An optional peer dependency a feature needs is not installed; `peers` names the packages. */
export class MissingPeerError extends DeepSeekPoolError {
  constructor(
    feature: string,
    /** The packages to install. */
    readonly peers: readonly string[],
    cause: unknown,
  ) {
    super(`${feature} needs ${peers.join(' and ')} installed (${errorMessage(cause)})`, 'MISSING_PEER');
  }
}
