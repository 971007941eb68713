import type { AttemptMeta, ChunkSource } from '../call.types.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../chat.types.js';
import type { UpstreamError } from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { Action } from './outcome.js';

/*
 * The narrow hooks the pool calls (the attempt loop, the exchanges, the service) and their no-op versions. No
 * OpenTelemetry type here: the published types reach this file and must compile without the optional peer.
 */

/** How an attempt failed, and what the pool did about it. */
export interface AttemptFailure {
  error: UpstreamError;
  action?: Action;
}

/** The trace of one upstream attempt (the loop drives it; exchanges read its headers and report what they read). */
export interface AttemptTrace {
  /** Headers for the upstream request: the W3C trace context of the attempt, unless turned off. */
  readonly headers: Readonly<Record<string, string>>;
  /** A chat completion or a stream chunk read from the upstream. */
  observe(payload: ChatCompletion | ChatCompletionChunk): void;
  /** The attempt answered (a stream: its first content); it may go on until `end`. */
  answered(): void;
  end(failure?: AttemptFailure): void;
}

/** The trace of one pool call (`chat` / `stream`): the parent of its attempts. */
export interface CallTrace {
  /** The next attempt; `continued`: it continues a stream that broke after content. */
  attempt(slot: KeySlot, continued: boolean): AttemptTrace;
  /** The call has its answer (a chat call ends here; a stream's span ends with its `source`). */
  answered(meta: AttemptMeta, answer?: ChatCompletion): void;
  failed(error: unknown): void;
  /**
   * Runs a degradable call: pool calls made inside are children of this one, and a failure reported while it runs
   * waits for its outcome (a degraded answer ends the span as served, with its tier).
   */
  track<T extends { meta: AttemptMeta; data: ChatCompletion }>(run: () => Promise<T>): Promise<T>;
  /** The chunks a stream's caller reads, observed: the span ends when the caller's stream ends, fails or is closed. */
  source(source: ChunkSource): ChunkSource;
}

/** What the pool calls: PoolTelemetry, or NOOP_TELEMETRY without the API or with `telemetry: false`. */
export interface CallTracer {
  call(request: ChatCompletionRequest, stream: boolean): CallTrace;
  close(): void;
}

export const NOOP_ATTEMPT: AttemptTrace = Object.freeze({
  headers: Object.freeze({}),
  observe() {},
  answered() {},
  end() {},
});
export const NOOP_CALL: CallTrace = Object.freeze({
  attempt: () => NOOP_ATTEMPT,
  answered() {},
  failed() {},
  track: <T>(run: () => Promise<T>) => run(),
  source: (source: ChunkSource) => source,
});
export const NOOP_TELEMETRY: CallTracer = Object.freeze({ call: () => NOOP_CALL, close() {} });
