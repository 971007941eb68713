import { describe, expect, it } from '@jest/globals';
import { EmptyBodyError, MalformedBodyError, ResponseTooLargeError } from './body-errors.js';
import { readJsonBody } from './json-body.js';
import { asyncOf } from './byte-stream.fixture.js';

const encoder = new TextEncoder();

function bodyOf(...chunks: string[]): AsyncGenerator<Uint8Array> {
  return asyncOf(chunks.map((chunk) => encoder.encode(chunk)));
}

describe('readJsonBody', () => {
  it('skips keep-alive blank lines before the JSON', async () => {
    // Arrange
    const body = bodyOf('\n\n\n', '\n{"id":"c1","choices":[]}');

    // Act
    const parsed = await readJsonBody(body);

    // Assert
    expect(parsed).toEqual({ id: 'c1', choices: [] });
  });

  it('joins JSON split across chunks, including inside a multi-byte character', async () => {
    // Arrange
    const bytes = encoder.encode('{"content":"你好🚀"}');
    function* body(): Generator<Uint8Array> {
      yield bytes.subarray(0, 14);
      yield bytes.subarray(14, 19);
      yield bytes.subarray(19);
    }

    // Act
    const parsed = await readJsonBody(asyncOf(body()));

    // Assert
    expect(parsed).toEqual({ content: '你好🚀' });
  });

  it.each([
    ['only blank lines', ['\n\n\n']],
    ['blank lines in several chunks', ['\n', '\r\n', ' \t\n']],
    ['no bytes at all', []],
  ])('throws EmptyBodyError for a body of %s', async (_name, chunks) => {
    // Act
    const error = await readJsonBody(bodyOf(...chunks)).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(EmptyBodyError);
    expect(error).toMatchObject({ code: 'EMPTY_BODY' });
  });

  it('throws MalformedBodyError for invalid JSON', async () => {
    // Act
    const read = readJsonBody(bodyOf('\n\n{"id": "c1", '));

    // Assert
    await expect(read).rejects.toBeInstanceOf(MalformedBodyError);
  });

  it('keeps the MalformedBodyError detail short for a large body', async () => {
    // Arrange
    const html = `<html>${'x'.repeat(100_000)}</html>`;

    // Act
    const error = await readJsonBody(bodyOf(html)).catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: 'MALFORMED_BODY' });
    const { detail, message } = error as MalformedBodyError;
    expect(detail).toContain('<html>');
    expect(message.length).toBeLessThan(200);
  });

  it('calls onChunk at every chunk, keep-alive blank lines included, before reading the next', async () => {
    // Arrange: record the call count each time the reader asks for the next chunk.
    let calls = 0;
    const countsBeforeEachChunk: number[] = [];
    function* body(): Generator<Uint8Array> {
      for (const chunk of ['\n\n', '\r\n ', ' {"a"', ':1', '}\n']) {
        countsBeforeEachChunk.push(calls);
        yield encoder.encode(chunk);
      }
      countsBeforeEachChunk.push(calls);
    }

    // Act
    const value = await readJsonBody(asyncOf(body()), () => calls++);

    // Assert
    expect(value).toEqual({ a: 1 });
    expect(countsBeforeEachChunk).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('passes on an error the body throws mid-read', async () => {
    // Arrange
    const cut = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    function* body(): Generator<Uint8Array> {
      yield encoder.encode('{"id":');
      throw cut;
    }

    // Act
    const read = readJsonBody(asyncOf(body()));

    // Assert
    await expect(read).rejects.toBe(cut);
  });

  it('stops at maxBytes, whitespace included, and returns the rest of the body unread', async () => {
    // Arrange: an endless body
    let chunksRead = 0;
    let returned = false;
    function* endless(): Generator<Uint8Array> {
      try {
        yield encoder.encode('{"id":"c1","content":"');
        for (;;) {
          chunksRead++;
          yield encoder.encode('x'.repeat(1_000));
        }
      } finally {
        returned = true;
      }
    }

    // Act
    const error = await readJsonBody(asyncOf(endless()), undefined, 10_000).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      message: expect.stringContaining('limits.maxResponseBytes'),
    });
    expect(chunksRead).toBe(10);
    expect(returned).toBe(true);
  });

  it('accepts a body of exactly maxBytes', async () => {
    // Act
    const parsed = await readJsonBody(bodyOf('  ', '{"a":1}'), undefined, 9);

    // Assert
    expect(parsed).toEqual({ a: 1 });
  });
});
