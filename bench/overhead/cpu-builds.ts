/**
 * CPU time per `pool.chat` call of several builds of the library side by side in one process, over the stub transport
 * (with `--wait`, the stub answering after a round trip to the mock; with `--loopback`, each build's own default
 * transport against the mock, where the median latency of each round is compared too): interleaved rounds, each
 * build's µs/call minus the first build's in the same round, median over rounds. Pairing within a round cancels the
 * machine's load drift that separate runs of cpu-per-call.js cannot; list the first build twice for an A/A control.
 *
 *   node bench/dist/overhead/cpu-builds.js --save before   # copies libs/deepseek-pool/dist to bench/.runs/builds/
 *   node bench/dist/overhead/cpu-builds.js [--calls 10000] [--rounds 81] [--concurrency 1] [--wait | --loopback] \
 *     before before current
 *
 * `--concurrency N` keeps N calls in flight (over loopback, where calls at 64 in flight are CPU-bound and each call's
 * state has gone cold by the time its answer comes: what the overhead suite's concurrency-64 row measures).
 *
 * `--counts` first prints, per build, the clock readings of a call (through the pool's `clock` option: opossum's own
 * `Date.now()` calls are not among them) and the promises it creates (async_hooks, which also makes every `await`
 * create one), over 1,000 calls of a pool of its own after 2,000 of warm-up.
 *
 * `--bytes` also reports the bytes each call allocates: the growth of the heap over a round that starts after a full
 * collection and runs none (node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128, and --calls small
 * enough that a round fits the young generation: 2000 does; a round that a collection interrupts stops the run).
 *
 * `--options <json>` gives every build's pool these options (`'{"hedging":{"fixedMs":1,"minYield":0}}'` over loopback
 * at concurrency 64: a hedge in every call that has not answered after 1 ms, the path of a hedge race and its loser).
 *
 * `--status 400` has the stub answer every request with that status and DeepSeek's error envelope: each call then
 * costs one failed attempt (a 400 is the caller's fault: no retry, no key blamed), the path of an upstream's error.
 *
 * `current` is the library as built in libs/deepseek-pool/dist now.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { createHook } from 'node:async_hooks';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { DeepSeekPool, DeepSeekPoolOptions } from 'nestjs-deepseek-pool';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { Pool, request } from 'undici';
import { CHAT_REQUEST } from '../lib/chat-request.js';
import { stopAll } from '../lib/children.js';
import { startMock } from '../lib/mock-service.js';
import { repoPath } from '../lib/paths.js';
import { StubTransport, WaitingStubTransport } from './stub-transport.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    calls: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '81' },
    concurrency: { type: 'string', default: '1' },
    wait: { type: 'boolean', default: false },
    loopback: { type: 'boolean', default: false },
    bytes: { type: 'boolean', default: false },
    counts: { type: 'boolean', default: false },
    status: { type: 'string', default: '200' },
    options: { type: 'string', default: '{}' },
    save: { type: 'string' },
  },
});

const buildDir = (name: string): string => repoPath(`bench/.runs/builds/${name}`);

if (values.save !== undefined) {
  await cp(repoPath('libs/deepseek-pool/dist'), buildDir(values.save), { recursive: true });
  // The library's build is CommonJS (its package.json says so; the repository's says module).
  await writeFile(`${buildDir(values.save)}/package.json`, '{ "type": "commonjs" }\n');
  console.log(`saved libs/deepseek-pool/dist as ${buildDir(values.save)}`);
  process.exit(0);
}

type CreatePool = (options: DeepSeekPoolOptions) => DeepSeekPool;

async function load(name: string): Promise<CreatePool> {
  const url = name === 'current' ? 'nestjs-deepseek-pool' : `${buildDir(name)}/index.js`;
  return ((await import(url)) as { createDeepSeekPool: CreatePool }).createDeepSeekPool;
}

const collect = (globalThis as { gc?: () => void }).gc;
if (values.bytes && collect === undefined)
  throw new Error('--bytes needs node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128');
/** When each garbage collection started (performance.now()): a round with one cannot count its bytes. */
const collections: number[] = [];
const gcObserver = new PerformanceObserver((list) => collections.push(...list.getEntries().map((e) => e.startTime)));
if (values.bytes) gcObserver.observe({ entryTypes: ['gc'] });

const calls = Number(values.calls);
const rounds = Number(values.rounds);
const status = Number(values.status);
const poolOptions = JSON.parse(values.options) as Omit<DeepSeekPoolOptions, 'keys'>;
if (status !== 200 && (values.loopback || values.wait || values.counts))
  throw new Error('--status is for the stub alone (not with --loopback, --wait or --counts)');
if (!Number.isInteger(status) || status < 200 || status > 599)
  throw new Error(`--status must be an HTTP status from 200 to 599, got ${values.status}`);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > calls)
  throw new Error(`--concurrency must be an integer from 1 to --calls (${calls}), got ${values.concurrency}`);
const scenarioFile = repoPath('libs/deepseek-mock/scenarios/fast.json');
const scenario = JSON.parse(await readFile(scenarioFile, 'utf8')) as MockScenario;
const mock = values.wait || values.loopback ? await startMock(scenarioFile) : undefined;
const url = mock?.url ?? 'http://127.0.0.1:9';
const dispatcher = new Pool(url);
const wait = async (): Promise<void> => {
  const response = await request(`${url}/models`, { dispatcher, headers: { authorization: `Bearer x` } });
  await response.body.dump();
};
/** Clock readings and promises per call of `createPool`'s pool over the stub. */
async function countsPerCall(createPool: CreatePool): Promise<{ clockReads: number; promises: number }> {
  const counted = { clockReads: 0, promises: 0 };
  const clock = {
    now: () => {
      counted.clockReads += 1;
      return Date.now();
    },
  };
  const keys = scenario.keys.map((key, index) => ({ id: `fast-${index + 1}`, apiKey: key.key, baseUrl: url }));
  const { pool, close } = createPool({ keys, logger: false, clock, transport: new StubTransport() });
  const hook = createHook({
    init: (_id, type) => {
      if (type === 'PROMISE') counted.promises += 1;
    },
  });
  for (let c = 0; c < 2_000; c++) await pool.chat(CHAT_REQUEST);
  [counted.clockReads, counted.promises] = [0, 0];
  hook.enable();
  for (let c = 0; c < 1_000; c++) await pool.chat(CHAT_REQUEST);
  hook.disable();
  await close();
  // The loop's own `await` creates one promise per call.
  return { clockReads: counted.clockReads / 1_000, promises: counted.promises / 1_000 - 1 };
}

try {
  if (values.counts)
    for (const name of positionals) {
      const { clockReads, promises } = await countsPerCall(await load(name));
      console.log(`${name}: ${clockReads} clock readings and ${promises} promises per pool.chat over the stub`);
    }
  const pools: DeepSeekPool[] = [];
  /** Hedges each build's pool sent, warm-up round included. */
  const hedges = positionals.map(() => 0);
  for (const name of positionals) {
    const keys = scenario.keys.map((key, index) => ({ id: `fast-${index + 1}`, apiKey: key.key, baseUrl: url }));
    const stub = mock ? new WaitingStubTransport(wait) : new StubTransport(status);
    const transport = values.loopback ? {} : { transport: stub };
    const pool = (await load(name))({ keys, logger: false, ...poolOptions, ...transport });
    const index = pools.length;
    pool.pool.events.on('hedge', () => (hedges[index] += 1));
    pools.push(pool);
  }
  const quantile = (values: number[], q: number): number =>
    [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];
  const cpu = pools.map((): number[] => []);
  const latency = pools.map((): number[] => []);
  const bytes = pools.map((): number[] => []);
  const took = new Array<number>(calls);
  for (let r = -1; r < rounds; r++)
    for (let i = 0; i < pools.length; i++) {
      const index = (Math.max(r, 0) + i) % pools.length;
      if (values.bytes) collect?.();
      const roundStart = performance.now();
      const heapBefore = process.memoryUsage().heapUsed;
      const before = process.cpuUsage();
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < calls) {
          const c = next++;
          const start = performance.now();
          await pools[index].pool.chat(CHAT_REQUEST).catch((error: unknown) => {
            if (status === 200) throw error;
          });
          took[c] = performance.now() - start;
        }
      };
      await (concurrency === 1 ? lane() : Promise.all(Array.from({ length: concurrency }, lane)));
      const used = process.cpuUsage(before);
      const heapAfter = process.memoryUsage().heapUsed;
      const roundEnd = performance.now();
      // The observer hears of a collection a little later.
      if (values.bytes) await new Promise((resolve) => setTimeout(resolve, 10));
      if (values.bytes && collections.some((at) => at >= roundStart && at <= roundEnd))
        throw new Error(
          `a garbage collection ran during a round of ${calls} calls: lower --calls or raise the semi-space`,
        );
      if (r < 0) continue;
      bytes[index].push((heapAfter - heapBefore) / calls);
      cpu[index].push((used.user + used.system) / calls);
      latency[index].push(quantile(took, 0.5) * 1_000);
    }
  const report = (what: string, samples: number[][]): void => {
    console.log(
      `${what}, ${rounds} rounds x ${calls} calls${concurrency > 1 ? ` at concurrency ${concurrency}` : ''}: median, then minus ${positionals[0]} in the same round (median, quartiles, rounds below):`,
    );
    positionals.forEach((name, index) => {
      const diffs = samples[index].map((us, round) => us - samples[0][round]);
      const [q1, median, q3] = [0.25, 0.5, 0.75].map((q) => quantile(diffs, q).toFixed(2));
      const below = diffs.filter((diff) => diff < 0).length;
      console.log(
        `  ${`${index + 1}. ${name}`.padEnd(16)} ${quantile(samples[index], 0.5).toFixed(1).padStart(6)}   ${median.padStart(6)} (${q1} .. ${q3}), ${below}/${rounds} below`,
      );
    });
  };
  const over = values.loopback ? 'its own transport to the mock' : `the ${mock ? 'waiting ' : ''}stub`;
  report(`CPU µs per pool.chat over ${over}`, cpu);
  console.log(`  hedges sent: ${positionals.map((name, index) => `${name} ${hedges[index]}`).join(', ')}`);
  if (values.loopback) report(`Median µs per pool.chat over ${over}`, latency);
  if (values.bytes) report(`Bytes allocated per pool.chat over ${over}`, bytes);
  await Promise.all(pools.map((pool) => pool.close()));
} finally {
  gcObserver.disconnect();
  await dispatcher.close();
  await stopAll();
}
