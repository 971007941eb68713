import type { Dispatcher } from 'undici';
import type { AbortSource } from '../resilience/abort-handle.js';
import { PushedBody } from './pushed-body.js';
import { firstHeaderValues } from './response-headers.js';
import type { TransportResponse } from './transport.js';
import { toTransportError } from './transport-errors.js';

/**
 * One exchange on an undici dispatcher through its handler callbacks (no response stream): resolves at the response
 * headers with a PushedBody that the exchange feeds. The abort source (an AbortSignal or the pool's AbortHandle) aborts
 * the exchange at any point; before the request is handed a socket, the promise rejects at once and the request is
 * dropped when its turn comes.
 */
export function dispatchExchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSource,
): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    dispatcher.dispatch(options, new UndiciExchange(signal, resolve, reject));
  });
}

/** undici's handler of one exchange: settles the response promise, then feeds the body. */
class UndiciExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined = undefined;
  private body: PushedBody | undefined = undefined;
  private readonly onAbort = (): void => this.abort();

  constructor(
    private readonly signal: AbortSource,
    private readonly resolve: (response: TransportResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {
    if (signal.aborted) this.abort();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) this.abort();
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Record<string, unknown>): void {
    if (status < 200) return;
    this.body = new PushedBody(controller);
    this.resolve({ status, headers: firstHeaderValues(headers), body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Uint8Array): void {
    this.body?.push(chunk);
  }

  onResponseEnd(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.signal.removeEventListener('abort', this.onAbort);
    const failure = toTransportError(error, this.signal);
    if (this.body === undefined) this.reject(failure);
    else this.body.fail(failure);
  }

  private abort(): void {
    withoutStackTraces(() => {
      if (this.controller === undefined) this.reject(toTransportError(undefined, this.signal));
      else this.controller.abort(abortReason(this.signal));
    });
  }
}

/**
 * Runs `abort` with no stack trace captured by the errors built meanwhile. Aborting an exchange in flight builds two
 * at once: undici's error for the socket it destroys, whose stack Node's stream `destroy` also formats, and this
 * exchange's TransportAbortError (the only one when the exchange still waits for a connection). No one reads those
 * stacks: the abort is the caller's or the pool's own doing (a hedge race's loser, a timeout), and says so in its
 * message. Captured and formatted, they cost more than the rest of the abort (bench/FINDINGS.md, finding 1).
 */
function withoutStackTraces(abort: () => void): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    abort();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function abortReason(signal: AbortSource): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('upstream request aborted');
}
