import type { Writable } from 'node:stream';

/**
 * Runs `flush` once, `windowMs` from now (0: once the current event-loop turn's I/O callbacks are done). The timer
 * must not keep the process alive: what is pending at exit is flushed by the exit hook.
 */
export type FlushScheduler = (flush: () => void, windowMs: number) => void;

/** Pending bytes at which the lines are written at once, before their window ends: what the batch may hold. */
export const MAX_PENDING_BYTES = 64 * 1024;

const flushLater: FlushScheduler = (flush, windowMs) => {
  if (windowMs === 0) setImmediate(flush);
  else setTimeout(flush, windowMs).unref();
};

/**
 * Groups what the process writes to `stream` over `windowMs` into one write: the stream is corked at the first write
 * of a window and uncorked when the window ends, once MAX_PENDING_BYTES are pending, and at exit, so no line is lost
 * to a normal exit (a killed process loses at most one window of lines). The request log writes a line per request
 * through Nest's ConsoleLogger, and each write to a pipe is a system call that wakes its reader (a container's log
 * collector): under load this makes one per window instead of one per line or per turn. Lines keep their order and
 * content. Returns a function that undoes it.
 */
export function batchWrites(
  stream: Writable,
  windowMs: number,
  schedule: FlushScheduler = flushLater,
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
      schedule(flush, windowMs);
    }
    const ok = write(...args);
    if (stream.writableLength >= MAX_PENDING_BYTES) flush();
    return ok;
  }) as Writable['write'];
  exits.once('exit', flush);
  return () => {
    flush();
    stream.write = write;
    exits.off('exit', flush);
  };
}
