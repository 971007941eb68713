/** Errors for an upstream body that arrived but cannot be used. All are retryable upstream failures. */

/** HTTP 200 whose body held only whitespace (DeepSeek's keep-alive blank lines, then close). */
export class EmptyBodyError extends Error {
  override readonly name = 'EmptyBodyError';
  readonly code = 'EMPTY_BODY';

  constructor() {
    super('upstream body held only whitespace');
  }
}

/** A body that is not valid JSON; `detail` is short and never holds the whole body. */
export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
  readonly code = 'MALFORMED_BODY';

  constructor(readonly detail: string) {
    super(`upstream body is not valid JSON: ${detail}`);
  }
}

/**
 * An upstream body, SSE line or SSE event over its limit (`limits.*`): the upstream's failure; the body is dropped at
 * once.
 */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'RESPONSE_TOO_LARGE';

  constructor(what: string, limitName: string, limit: number) {
    super(`upstream ${what} is over ${limitName} (${limit} bytes)`);
  }
}
