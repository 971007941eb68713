import { describe, expect, it } from '@jest/globals';
import { type BodyFlow, PushedBody } from './pushed-body.js';

/** A flow that records what the body asked of its exchange. */
function recordingFlow(): BodyFlow & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    abort: (reason) => calls.push(`abort: ${reason.message}`),
  };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (chunks: Uint8Array[]) => chunks.map((chunk) => new TextDecoder().decode(chunk)).join('');

async function readAll(body: PushedBody): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}

describe('PushedBody', () => {
  it('hands a whole-body reader the chunks that arrived before it, then the rest as they arrive', async () => {
    // Arrange
    const body = new PushedBody(recordingFlow());
    const seen: Uint8Array[] = [];
    body.push(bytes('a'));
    body.push(bytes('b'));

    // Act
    const reading = body.forEachChunk((chunk) => seen.push(chunk));
    const early = text(seen);
    body.push(bytes('c'));
    body.end();
    await reading;

    // Assert
    expect(early).toBe('ab');
    expect(text(seen)).toBe('abc');
  });

  it('iterates queued and later chunks in order, then ends', async () => {
    // Arrange
    const body = new PushedBody(recordingFlow());
    body.push(bytes('a'));

    // Act
    const reading = readAll(body);
    await Promise.resolve();
    body.push(bytes('b'));
    body.end();

    // Assert
    expect(text(await reading)).toBe('ab');
  });

  it.each([
    ['iterated', readAll],
    ['read whole', (body: PushedBody) => body.forEachChunk(() => undefined)],
  ])('fails a reader (%s) with the exchange error, dropping the chunks not read yet', async (_, read) => {
    // Arrange
    const body = new PushedBody(recordingFlow());
    const failure = new Error('ECONNRESET');
    body.push(bytes('unread'));
    body.fail(failure);

    // Act
    const error = await read(body).catch((e: unknown) => e);

    // Assert
    expect(error).toBe(failure);
  });

  it('pauses the exchange while more than the high-water mark is queued, and resumes it as the reader catches up', async () => {
    // Arrange
    const flow = recordingFlow();
    const body = new PushedBody(flow, 3);
    const iterator = body[Symbol.asyncIterator]();

    // Act
    body.push(bytes('ab'));
    const belowMark = [...flow.calls];
    body.push(bytes('cd'));
    body.push(bytes('ef'));
    const aboveMark = [...flow.calls];
    await iterator.next();
    const stillAbove = [...flow.calls];
    await iterator.next();

    // Assert
    expect(belowMark).toEqual([]);
    expect(aboveMark).toEqual(['pause']);
    expect(stillAbove).toEqual(['pause']);
    expect(flow.calls).toEqual(['pause', 'resume']);
  });

  it('resumes a paused exchange once a whole-body reader takes the queue', async () => {
    // Arrange
    const flow = recordingFlow();
    const body = new PushedBody(flow, 1);
    body.push(bytes('ab'));

    // Act
    const reading = body.forEachChunk(() => undefined);
    body.end();
    await reading;

    // Assert
    expect(flow.calls).toEqual(['pause', 'resume']);
  });

  it('leaves a paused exchange paused when the whole-body reader throws on the queued chunks', async () => {
    // Arrange
    const flow = recordingFlow();
    const body = new PushedBody(flow, 1);
    body.push(bytes('ab'));

    // Act
    const error = await body
      .forEachChunk(() => {
        throw new Error('too large');
      })
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ message: 'too large' });
    expect(flow.calls).toEqual(['pause', 'abort: too large']);
  });

  it('hands a whole-body reader no queued chunk after the one it threw on', async () => {
    // Arrange
    const body = new PushedBody(recordingFlow());
    body.push(bytes('a'));
    body.push(bytes('b'));
    const seen: string[] = [];

    // Act
    const error = await body
      .forEachChunk((chunk) => {
        seen.push(text([chunk]));
        throw new Error('refused');
      })
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ message: 'refused' });
    expect(seen).toEqual(['a']);
  });

  it('aborts the exchange and rejects with what a whole-body reader threw, once', async () => {
    // Arrange
    const flow = recordingFlow();
    const body = new PushedBody(flow);
    const refusal = new Error('too large');
    let calls = 0;

    // Act
    const reading = body.forEachChunk(() => {
      calls += 1;
      throw refusal;
    });
    body.push(bytes('a'));
    body.push(bytes('b'));
    body.fail(new Error('aborted'));
    const error = await reading.catch((e: unknown) => e);

    // Assert
    expect(error).toBe(refusal);
    expect(calls).toBe(1);
    expect(flow.calls).toEqual(['abort: too large']);
  });

  it('aborts the exchange when an iteration stops before the end, and not after it', async () => {
    // Arrange
    const stopped = recordingFlow();
    const early = new PushedBody(stopped);
    early.push(bytes('a'));
    const finished = recordingFlow();
    const whole = new PushedBody(finished);
    whole.push(bytes('a'));
    whole.end();

    // Act
    for await (const _ of early) break;
    for await (const _ of whole) break;

    // Assert
    expect(stopped.calls).toEqual(['abort: response body not read to the end']);
    expect(finished.calls).toEqual([]);
  });
});
