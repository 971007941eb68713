import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { guardBody, toTransportError, TransportAbortError, TransportError } from './transport-errors.js';
import { asyncOf } from './byte-stream.fixture.js';

const live = (): AbortSignal => new AbortController().signal;

function aborted(reason?: unknown): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

describe('toTransportError', () => {
  it('keeps the code and message of a network error', () => {
    // Arrange
    const error = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

    // Act
    const mapped = toTransportError(error, live());

    // Assert
    expect(mapped).toBeInstanceOf(TransportError);
    expect(mapped).toMatchObject({ code: 'ECONNRESET', message: 'read ECONNRESET' });
  });

  it('takes the code of the first error of an AggregateError', () => {
    // Arrange: Node's multi-address connect reports failures this way.
    const error = new AggregateError([
      Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' }),
    ]);

    // Act
    const mapped = toTransportError(error, live());

    // Assert
    expect(mapped).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('takes the code of the cause when the error has none', () => {
    // Arrange
    const error = new Error('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });

    // Act
    const mapped = toTransportError(error, live());

    // Assert
    expect(mapped).toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('gives a code to an error that has none', () => {
    // Act
    const mapped = toTransportError('boom', live());

    // Assert
    expect(mapped).toMatchObject({ code: 'ERR_TRANSPORT', message: 'ERR_TRANSPORT' });
  });

  it('turns any failure after the signal fired into an AbortError carrying the reason', () => {
    // Arrange
    const reason = new Error('idle timeout');
    const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

    // Act
    const mapped = toTransportError(error, aborted(reason));

    // Assert
    expect(mapped).toBeInstanceOf(TransportAbortError);
    expect(mapped).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', reason });
  });

  it('never carries the client error, whose config can hold the API key', () => {
    // Arrange: the shape of an AxiosError.
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      config: { headers: { Authorization: 'Bearer sk-live-0123456789abcdef' } },
      cause: new Error('inner'),
    });

    // Act
    const mapped = toTransportError(error, live());

    // Assert
    expect(inspect(mapped, { depth: 10 })).not.toContain('sk-live');
    expect(JSON.stringify(mapped)).not.toContain('sk-live');
  });
});

describe('guardBody', () => {
  it('re-yields the chunks of the body', async () => {
    // Arrange
    function* body(): Generator<Uint8Array> {
      yield Uint8Array.of(1);
      yield Uint8Array.of(2, 3);
    }
    const chunks: Uint8Array[] = [];

    // Act
    for await (const chunk of guardBody(asyncOf(body()), live())) chunks.push(chunk);

    // Assert
    expect(chunks).toEqual([Uint8Array.of(1), Uint8Array.of(2, 3)]);
  });

  it('normalises an error the body throws', async () => {
    // Arrange
    function* body(): Generator<Uint8Array> {
      yield Uint8Array.of(1);
      throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    }

    // Act
    const error = await (async () => {
      for await (const _ of guardBody(asyncOf(body()), live()));
    })().catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  it('closes the body when the reader stops early', async () => {
    // Arrange
    let closed = false;
    function* body(): Generator<Uint8Array> {
      try {
        yield Uint8Array.of(1);
        yield Uint8Array.of(2);
      } finally {
        closed = true;
      }
    }

    // Act
    for await (const _ of guardBody(asyncOf(body()), live())) break;

    // Assert
    expect(closed).toBe(true);
  });
});
