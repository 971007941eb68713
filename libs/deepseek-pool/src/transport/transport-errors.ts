/** What a transport throws: a network failure with a `code`, or an abort. Client-specific errors never leak. */

/** A network-level failure of one exchange; `code` is the OS or client code (ECONNREFUSED, UND_ERR_SOCKET, ...). */
export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The exchange was cancelled through its AbortSignal; `reason` is the signal's reason. */
export class TransportAbortError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';

  constructor(readonly reason: unknown) {
    super('upstream request aborted');
  }
}

/** Code for a failure whose client gave none. */
const UNKNOWN_CODE = 'ERR_TRANSPORT';

/**
 * Normalises anything a client threw: an abort (the signal fired) becomes TransportAbortError, anything else
 * a TransportError carrying only the code and message (client errors can hold request config and headers,
 * including the API key, so they are never passed on or kept as `cause`).
 */
export function toTransportError(
  error: unknown,
  signal: Pick<AbortSignal, 'aborted' | 'reason'>,
): TransportError | TransportAbortError {
  if (signal.aborted) return new TransportAbortError(signal.reason);
  if (error instanceof TransportError || error instanceof TransportAbortError) return error;
  const code = codeOf(error) ?? UNKNOWN_CODE;
  const message = error instanceof Error && error.message !== '' ? error.message : code;
  return new TransportError(code, message);
}

/** Re-yields a response body, normalising the errors it throws with toTransportError. */
export async function* guardBody(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    yield* body;
  } catch (error) {
    throw toTransportError(error, signal);
  }
}

/** The string `code` of an error, else of its `cause` or first aggregated error (Node's multi-address connect). */
function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  if (cause !== undefined) return codeOf(cause);
  return Array.isArray(errors) ? codeOf(errors[0]) : undefined;
}
