import type { Readable } from 'node:stream';
import { guardBody, toTransportError } from './transport-errors.js';

/** A response body that can also be read chunk by chunk without an async iterator: the cheaper way to read it whole. */
export interface ChunkedBody extends AsyncIterable<Uint8Array> {
  /**
   * Calls `onChunk` with every chunk, resolving at the end. A throw of `onChunk` destroys the body and rejects with
   * what it threw; the body's own errors reject as the transport's errors (TransportError, TransportAbortError).
   */
  forEachChunk(onChunk: (chunk: Uint8Array) => void): Promise<void>;
}

/**
 * A Node response stream as a transport's body: iterated, it re-yields the chunks (guardBody); read whole, it listens
 * to 'data' events. Either way the errors it throws are normalised by toTransportError.
 */
export class StreamBody implements ChunkedBody {
  constructor(
    private readonly stream: Readable,
    private readonly signal: AbortSignal,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return guardBody(this.stream, this.signal)[Symbol.asyncIterator]();
  }

  forEachChunk(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    const { stream, signal } = this;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      // The 'error' listener stays: destroying the body (below, or undici on a late abort) may still emit one.
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        stream.off('data', onData);
        stream.off('end', onEnd);
        stream.off('close', onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onData = (chunk: Uint8Array): void => {
        try {
          onChunk(chunk);
        } catch (error) {
          settle(error as Error);
          stream.destroy();
        }
      };
      const onEnd = (): void => settle();
      const onError = (error: unknown): void => settle(toTransportError(error, signal));
      // Closed with neither an end nor an error: cut short, as Node's stream iterator reports it.
      const onClose = (): void => settle(toTransportError(prematureClose(), signal));
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onClose);
    });
  }
}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * Calls `onChunk` with every chunk of `body`: through `forEachChunk` when the body has it (its promise as it is: an
 * async wrapper would add a promise and three microtask turns to every read), else by iterating.
 */
export function forEachChunk(body: AsyncIterable<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  return isChunked(body) ? body.forEachChunk(onChunk) : iterateChunks(body, onChunk);
}

async function iterateChunks(body: AsyncIterable<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  for await (const chunk of body) onChunk(chunk);
}

function isChunked(body: AsyncIterable<Uint8Array>): body is ChunkedBody {
  return typeof (body as Partial<ChunkedBody>).forEachChunk === 'function';
}
