/**
 * Time per attempt of its abort side, in one process, interleaved rounds, median ns: what the pool did before
 * (an AbortController and its signal, the transport's abort listener added and removed) against the AbortHandle it
 * uses now over the built-in transport, and the handle when a transport reads its `signal` (any other transport); then
 * the same for an attempt that is aborted with no reason given (a hedge race's loser), whose reason the transport reads
 * as undici does when it destroys the socket (`err.stack`).
 *
 *   node bench/dist/overhead/abort-cost.js [--calls 1000000] [--rounds 21]
 */
import { parseArgs } from 'node:util';
import { median } from '../lib/median.js';
import { repoPath } from '../lib/paths.js';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '21' } },
});

interface AbortHandleLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  abort(): void;
  readonly signal: AbortSignal;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
const { AbortHandle } = (await import(repoPath('libs/deepseek-pool/dist/resilience/abort-handle.js'))) as {
  AbortHandle: new () => AbortHandleLike;
};

const calls = Number(values.calls);
const listener = (): void => undefined;
let aborted = 0;
let stackChars = 0;

/** One attempt's abort side over its life: built, listened to by the exchange, checked or aborted, released. */
const WAYS: Record<string, () => void> = {
  AbortController: () => {
    const signal = new AbortController().signal;
    signal.addEventListener('abort', listener, { once: true });
    if (signal.aborted) aborted++;
    signal.removeEventListener('abort', listener);
  },
  AbortHandle: () => {
    const handle = new AbortHandle();
    handle.addEventListener('abort', listener);
    if (handle.aborted) aborted++;
    handle.removeEventListener('abort', listener);
  },
  'AbortHandle, signal read': () => {
    const signal = new AbortHandle().signal;
    signal.addEventListener('abort', listener, { once: true });
    if (signal.aborted) aborted++;
    signal.removeEventListener('abort', listener);
  },
  'AbortController, aborted': () => {
    const controller = new AbortController();
    controller.signal.addEventListener('abort', listener, { once: true });
    controller.abort();
    stackChars += (controller.signal.reason as Error).stack?.length ?? 0;
  },
  'AbortHandle, aborted': () => {
    const handle = new AbortHandle();
    handle.addEventListener('abort', listener);
    handle.abort();
    stackChars += (handle.reason as Error).stack?.length ?? 0;
  },
};

const nsPerAttempt = (way: () => void): number => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) way();
  return Number(process.hrtime.bigint() - start) / calls;
};
const ways = Object.entries(WAYS);
for (const [, way] of ways) nsPerAttempt(way); // warm-up
const figures = ways.map(() => [] as number[]);
for (let round = 0; round < Number(values.rounds); round++)
  for (const [index, [, way]] of ways.entries()) figures[index].push(nsPerAttempt(way));
console.log(`An attempt's abort side, median ns over ${values.rounds} rounds of ${calls} attempts:`);
for (const [index, [name]] of ways.entries()) console.log(`  ${name.padEnd(26)} ${Math.round(median(figures[index]))}`);
if (aborted !== 0) throw new Error('an attempt that nothing aborted reads as aborted');
if (stackChars === 0) throw new Error('no abort reason had a stack');
