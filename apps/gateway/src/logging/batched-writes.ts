import type { Writable } from 'node:stream';

/** Runs `flush` once the current event-loop turn's I/O callbacks are done (setImmediate). */
export type TurnScheduler = (flush: () => void) => void;

/**
 * Groups what the process writes to `stream` during one event-loop turn into one write: the stream is corked at the
 * first write of a turn and uncorked after the turn's I/O callbacks (and at exit, so no line is lost). The request
 * log writes a line per request through Nest's ConsoleLogger: under load this makes one system call per turn
 * instead of one per line; lines keep their order and content. Returns a function that undoes it.
 */
export function batchWrites(
  stream: Writable,
  schedule: TurnScheduler = (flush) => void setImmediate(flush),
  exits: Pick<NodeJS.EventEmitter, 'once' | 'off'> = process,
): () => void {
  const write = stream.write.bind(stream);
  let corked = false;
  const flush = (): void => {
    if (!corked) return;
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: Parameters<Writable['write']>): boolean => {
    if (!corked) {
      corked = true;
      stream.cork();
      schedule(flush);
    }
    return write(...args);
  }) as Writable['write'];
  exits.once('exit', flush);
  return () => {
    flush();
    stream.write = write;
    exits.off('exit', flush);
  };
}
