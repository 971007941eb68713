import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { batchWrites } from './batched-writes.js';

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

function setup() {
  const { stream, writes } = recordingStream();
  const turns: Array<() => void> = [];
  const exits = new EventEmitter();
  const restore = batchWrites(stream, (flush) => turns.push(flush), exits);
  const endTurn = (): void => turns.splice(0).forEach((flush) => flush());
  return { stream, writes, endTurn, exits, restore };
}

describe('batchWrites', () => {
  it('writes the lines of one turn in one write, in order, and the next turn in another', () => {
    // Arrange
    const { stream, writes, endTurn } = setup();

    // Act
    stream.write('a\n');
    stream.write('b\n');
    stream.write('c\n');
    const beforeTurnEnds = writes.length;
    endTurn();
    stream.write('d\n');
    endTurn();

    // Assert
    expect(beforeTurnEnds).toBe(0);
    expect(writes).toEqual([['a\n', 'b\n', 'c\n'], ['d\n']]);
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
