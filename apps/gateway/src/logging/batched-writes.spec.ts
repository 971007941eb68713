import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MAX_PENDING_BYTES, batchWrites } from './batched-writes.js';

/** A stream recording each system-call-like write: one entry per _write or _writev, with its chunks. */
function recordingStream(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { stream, writes };
}

const WINDOW_MS = 50;

function setup() {
  const { stream, writes } = recordingStream();
  const windows: Array<() => void> = [];
  const windowsAsked: number[] = [];
  const exits = new EventEmitter();
  const restore = batchWrites(
    stream,
    WINDOW_MS,
    (flush, windowMs) => {
      windows.push(flush);
      windowsAsked.push(windowMs);
    },
    exits,
  );
  const endWindow = (): void => windows.splice(0).forEach((flush) => flush());
  return { stream, writes, endWindow, windowsAsked, exits, restore };
}

describe('batchWrites', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('writes the lines of one window in one write, in order, and the next window in another', () => {
    // Arrange
    const { stream, writes, endWindow, windowsAsked } = setup();

    // Act
    stream.write('a\n');
    stream.write('b\n');
    stream.write('c\n');
    const beforeWindowEnds = writes.length;
    endWindow();
    stream.write('d\n');
    endWindow();

    // Assert
    expect(beforeWindowEnds).toBe(0);
    expect(writes).toEqual([['a\n', 'b\n', 'c\n'], ['d\n']]);
    expect(windowsAsked).toEqual([WINDOW_MS, WINDOW_MS]);
  });

  it('writes at once, before the window ends, when the pending lines reach the limit', () => {
    // Arrange
    const { stream, writes, endWindow } = setup();
    const line = `${'x'.repeat(1023)}\n`;
    const linesToLimit = MAX_PENDING_BYTES / line.length;

    // Act
    for (let i = 0; i < linesToLimit - 1; i++) stream.write(line);
    const belowLimit = writes.length;
    stream.write(line);
    stream.write('next\n');
    endWindow();

    // Assert
    expect(belowLimit).toBe(0);
    expect(writes.map((chunks) => chunks.length)).toEqual([linesToLimit, 1]);
    expect(writes[1]).toEqual(['next\n']);
  });

  it.each([
    ['after a window of 50 ms', 50, () => jest.advanceTimersByTime(49), () => jest.advanceTimersByTime(1)],
    ['at the end of the turn with a window of 0', 0, () => undefined, () => jest.runOnlyPendingTimers()],
  ])('writes on its own timer %s', (_case, windowMs, untilJustBefore, untilTheEnd) => {
    // Arrange
    jest.useFakeTimers();
    const { stream, writes } = recordingStream();
    const restore = batchWrites(stream, windowMs, undefined, new EventEmitter());

    // Act
    stream.write('a\n');
    stream.write('b\n');
    untilJustBefore();
    const justBefore = writes.length;
    untilTheEnd();
    const atTheEnd = [...writes];
    restore();

    // Assert
    expect(justBefore).toBe(0);
    expect(atTheEnd).toEqual([['a\n', 'b\n']]);
  });

  it('flushes what is pending when the process exits', () => {
    // Arrange
    const { stream, writes, exits } = setup();
    stream.write('last words\n');

    // Act
    exits.emit('exit');

    // Assert
    expect(writes).toEqual([['last words\n']]);
  });

  it('flushes and writes directly again once undone', () => {
    // Arrange
    const { stream, writes, restore, exits } = setup();
    stream.write('a\n');

    // Act
    restore();
    stream.write('b\n');

    // Assert
    expect(writes).toEqual([['a\n'], ['b\n']]);
    expect(exits.listenerCount('exit')).toBe(0);
  });
});
