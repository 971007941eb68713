/**
 * Where the time of one call goes at concurrency 1 over loopback, stage by stage: the pool's `UndiciTransport` called
 * directly against `pool.chat` over the same transport, in interleaved rounds against the mock in its own process.
 *
 *   node bench/dist/overhead/call-stages.js [--calls 2000] [--rounds 10] [--cpus 0/1] [--time <functions>]
 *
 * `--cpus <client>/<mock>` pins this process (the clients) and the mock to CPU lists (`taskset`): `0/1` on cores of
 * their own, `0/0` on one core. Without it the scheduler places them, as in the suite. `--spin` keeps this process's
 * event loop turning while it waits (a chain of `setImmediate`, so it polls the sockets without sleeping): its CPU
 * never idles during a call, for both clients alike. `--options '{"hedging":false}'` adds options to the pool's.
 *
 * Stages of a call (µs): `before send` (the call until it hands the request to the transport), `rest of turn` (until
 * the event loop's check phase, where undici writes a request on an idle keep-alive socket), `wait` (until the
 * response headers), `body` (until the body has been read) and `after body` (until the caller has the answer). Prints
 * the median and p99 of each stage, then the same stages averaged over the calls of 1 ms or more, with how many of
 * those calls a garbage collection of the process overlapped (`PerformanceObserver` 'gc' entries) and the time of
 * every collection during each client's calls.
 *
 * `--time resilience/hedging:Hedging.prototype.timer,resilience/flight:launchFlight` also times functions of the
 * library's build, called by either client, and prints the quartiles of their calls in the measured rounds
 * (FunctionTimer: each call's synchronous part, the wrappers of the timed functions it calls included).
 */
import { readFile } from 'node:fs/promises';
import { PerformanceObserver, type PerformanceEntry, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  type DeepSeekPoolOptions,
  type Transport,
  type TransportRequest,
  UndiciTransport,
  createDeepSeekPool,
} from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { CHAT_REQUEST } from '../lib/chat-request.js';
import { stopAll } from '../lib/children.js';
import { parseClientMockCpus, pinClientAndMock } from '../lib/cpu-affinity.js';
import { table } from '../lib/markdown.js';
import { startMock } from '../lib/mock-service.js';
import { repoPath } from '../lib/paths.js';
import { FunctionTimer } from './function-timer.js';
import { SLOW_CALL_NS } from './rounds.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '10' },
    cpus: { type: 'string' },
    spin: { type: 'boolean', default: false },
    options: { type: 'string', default: '{}' },
    time: { type: 'string' },
  },
});

/** A body of UndiciTransport: besides iterating it, the pool reads it whole through a chunk callback. */
type ChunkedBody = AsyncIterable<Uint8Array> & { forEachChunk(onChunk: (chunk: Uint8Array) => void): Promise<void> };

const STAGES = ['before send', 'rest of turn', 'wait', 'body', 'after body'] as const;
const now = () => process.hrtime.bigint();

/** The marks of the call in progress (one call at a time). */
const marks = { sent: 0n, turnEnd: 0n, headers: 0n, bodyEnd: 0n };

/** `inner` with the marks taken: at the send, at the end of its turn, at the headers and at the end of the body. */
function marking(inner: Transport): Transport {
  return {
    async request(request: TransportRequest) {
      marks.sent = now();
      setImmediate(() => (marks.turnEnd = now()));
      const response = await inner.request(request);
      marks.headers = now();
      const body = response.body as ChunkedBody;
      const marked: ChunkedBody = {
        [Symbol.asyncIterator]: () => body[Symbol.asyncIterator](),
        forEachChunk: (onChunk) => body.forEachChunk(onChunk).then(() => void (marks.bodyEnd = now())),
      };
      return { ...response, body: marked };
    },
    close: () => inner.close(),
  };
}

const scenarioFile = repoPath('libs/deepseek-mock/scenarios/fast.json');
const scenario = JSON.parse(await readFile(scenarioFile, 'utf8')) as MockScenario;
const cpus = parseClientMockCpus(values.cpus);
const mock = await startMock(scenarioFile);
if (cpus) pinClientAndMock(cpus, mock);
const timer = new FunctionTimer(values.time?.split(',') ?? []);
const keys = scenario.keys.map((key, index) => ({ id: `fast-${index + 1}`, apiKey: key.key, baseUrl: mock.url }));
const transport = marking(new UndiciTransport());
const poolOptions = JSON.parse(values.options) as Omit<DeepSeekPoolOptions, 'keys'>;
const { pool, close } = createDeepSeekPool({
  ...poolOptions,
  keys,
  logger: false,
  transport: marking(new UndiciTransport()),
});
const headers = { authorization: `Bearer ${keys[0].apiKey}`, 'content-type': 'application/json' };

const clients: Record<string, () => Promise<unknown>> = {
  "the pool's UndiciTransport alone": async () => {
    const response = await transport.request({
      baseUrl: mock.url,
      path: '/chat/completions',
      method: 'POST',
      headers,
      body: JSON.stringify(CHAT_REQUEST),
      signal: new AbortController().signal,
    });
    const chunks: Uint8Array[] = [];
    await (response.body as ChunkedBody).forEachChunk((chunk) => chunks.push(chunk));
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  },
  '`pool.chat` (8 keys)': () => pool.chat(CHAT_REQUEST),
};

/** Per client: one row of stage durations (ns) per call, the call's whole duration last. */
const samples = new Map<string, number[][]>(Object.keys(clients).map((name) => [name, []]));
/** Per client: the start and end (performance.now(), ms) of its measured calls, slow ones apart. */
const spans = new Map(Object.keys(clients).map((name) => [name, { all: [] as number[][], slow: [] as number[][] }]));
/** `--spin`: a chain of setImmediate callbacks, so the event loop never blocks in its poll phase. */
let spinning = values.spin;
const spin = (): void => {
  if (spinning) setImmediate(spin);
};
spin();
const collections: PerformanceEntry[] = [];
const gcObserver = new PerformanceObserver((list) => collections.push(...list.getEntries()));
gcObserver.observe({ entryTypes: ['gc'] });
try {
  const names = Object.keys(clients);
  for (let round = -2; round < Number(values.rounds); round++)
    for (let i = 0; i < names.length; i++) {
      if (round === 0 && i === 0) timer.reset();
      const name = names[(Math.max(round, 0) + i) % names.length];
      const roundStartMs = performance.now();
      for (let c = 0; c < Number(values.calls); c++) {
        const startMs = performance.now();
        const start = now();
        await clients[name]();
        const end = now();
        const { sent, turnEnd, headers: atHeaders, bodyEnd } = marks;
        const stages = [sent - start, turnEnd - sent, atHeaders - turnEnd, bodyEnd - atHeaders, end - bodyEnd];
        if (round < 0) continue;
        samples.get(name)?.push([...stages, end - start].map(Number));
        if (end - start >= SLOW_CALL_NS) spans.get(name)?.slow.push([startMs, performance.now()]);
      }
      if (round >= 0) spans.get(name)?.all.push([roundStartMs, performance.now()]);
    }
  spinning = false;
  await new Promise((resolve) => setImmediate(resolve));
  gcObserver.disconnect();
  const overlaps = (gc: PerformanceEntry, [from, to]: number[]) =>
    gc.startTime < to && gc.startTime + gc.duration > from;
  const withGc = (windows: number[][]) => windows.filter((window) => collections.some((gc) => overlaps(gc, window)));
  const gcDuring = (windows: number[][]) => collections.filter((gc) => windows.some((window) => overlaps(gc, window)));
  const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))];
  const us = (ns: number) => (ns / 1e3).toFixed(1);
  const rows = [...samples].map(([name, calls]) => {
    const columns = [...STAGES, 'whole call'].map((_, stage) => calls.map((row) => row[stage]).sort((a, b) => a - b));
    return [name, ...columns.map((sorted) => `${us(quantile(sorted, 0.5))} / ${us(quantile(sorted, 0.99))}`)];
  });
  const placement = `${values.cpus === undefined ? 'placed by the scheduler' : `pinned client/mock ${values.cpus}`}${values.spin ? ', spinning' : ''}, pool options ${values.options}`;
  console.log(`${Number(values.rounds)} rounds x ${values.calls} calls per client, ${placement}, µs (median / p99):\n`);
  console.log(table(['client', ...STAGES, 'whole call'], rows));
  const slowRows = [...samples].map(([name, calls]) => {
    const slow = calls.filter((row) => row[STAGES.length] >= SLOW_CALL_NS);
    const mean = (stage: number) => us(slow.reduce((sum, row) => sum + row[stage], 0) / Math.max(1, slow.length));
    const { all, slow: slowSpans } = spans.get(name) ?? { all: [], slow: [] };
    const gcs = gcDuring(all);
    const gcMs = gcs.reduce((sum, gc) => sum + gc.duration, 0);
    return [
      name,
      `${slow.length} of ${calls.length}`,
      ...STAGES.map((_, stage) => mean(stage)),
      `${withGc(slowSpans).length}`,
      `${gcs.length} (${gcMs.toFixed(1)} ms)`,
    ];
  });
  console.log(`\nCalls of ${SLOW_CALL_NS / 1e6} ms or more, mean µs per stage:\n`);
  console.log(table(['client', 'calls', ...STAGES, 'with a GC', "GCs in the client's rounds"], slowRows));
  if (values.time !== undefined) {
    console.log('\nTimed functions of the library, µs per call (its synchronous part):\n');
    console.log(table(['function', 'calls', 'p25', 'median', 'p75', 'p90'], timer.rows()));
  }
} finally {
  await close();
  await transport.close();
  await stopAll();
}
process.exit(0);
