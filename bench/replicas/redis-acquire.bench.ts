import { Redis } from 'ioredis';
import { MemoryStateStore, type PoolStateStore, createDeepSeekPool } from 'nestjs-deepseek-pool';
import { RedisStateStore } from 'nestjs-deepseek-pool/redis';
import { type LatencySummary, nanosecondHistogram, round, summarize } from '../lib/histogram.js';
import { num, table } from '../lib/markdown.js';
import { runWhenMain } from '../lib/standalone.js';
import type { BenchSuite, ProfileName } from '../lib/suite.js';
import { CannedTransport } from './canned.transport.js';
import { startRedis } from '../lib/redis-server.js';

/** Where account slots are counted. */
type Mode = 'memory' | 'redis-strict' | 'redis-local';
const MODES: readonly Mode[] = ['memory', 'redis-strict', 'redis-local'];
const CONCURRENCY = [1, 32] as const;
const OPS: Record<ProfileName, number> = { smoke: 300, quick: 5_000, full: 30_000 };
/** High enough never to refuse: the bench measures the cost of counting, not of waiting. */
const ACCOUNT_LIMIT = 10_000;

interface Row {
  mode: Mode | 'redis PING';
  concurrency: number;
  /** µs per acquire + release (PING: per round trip). */
  acquireUs: LatencySummary;
  /** µs per pool.chat against a transport that answers at once (empty for PING). */
  chatUs?: LatencySummary;
  chatPerSecond?: number;
}

export interface RedisAcquireResult {
  ops: number;
  rows: Row[];
}

/** Runs `ops` timed calls of `call` over `concurrency` workers; µs percentiles and calls per second. */
async function measure(
  ops: number,
  concurrency: number,
  call: () => unknown,
): Promise<{ us: LatencySummary; perSecond: number }> {
  const histogram = nanosecondHistogram();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < ops) {
        const t0 = process.hrtime.bigint();
        await call();
        histogram.recordValue(Number(process.hrtime.bigint() - t0));
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { us: summarize(histogram, 1e3), perSecond: round(ops / seconds, 0) };
}

function storeFor(mode: Mode, url: string, prefix: string): PoolStateStore & { ready?(): Promise<void> } {
  if (mode === 'memory') return new MemoryStateStore();
  return new RedisStateStore({ redis: url, prefix, accountConcurrency: mode === 'redis-strict' ? 'strict' : 'local' });
}

async function row(mode: Mode, concurrency: number, ops: number, url: string): Promise<Row> {
  const store = storeFor(mode, url, `bench-${mode}-${concurrency}:`);
  await store.ready?.();
  const { pool, close } = createDeepSeekPool({
    keys: [{ id: 'k', apiKey: 'sk-bench-000000000001', account: 'acct' }],
    accounts: { acct: { maxConcurrency: ACCOUNT_LIMIT } },
    transport: new CannedTransport(),
    store,
    logger: false,
    health: { probe: false, validateOnStart: false },
  });
  const request = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };
  try {
    const acquire = async (): Promise<void> => {
      await store.tryAcquireAccount('acct', ACCOUNT_LIMIT);
      store.releaseAccount('acct');
    };
    await measure(Math.min(500, ops), concurrency, acquire);
    const acquired = await measure(ops, concurrency, acquire);
    await measure(Math.min(500, ops), concurrency, () => pool.chat(request));
    const chat = await measure(ops, concurrency, () => pool.chat(request));
    return { mode, concurrency, acquireUs: acquired.us, chatUs: chat.us, chatPerSecond: chat.perSecond };
  } finally {
    await close();
    await store.close();
  }
}

/** One Redis round trip from this process, for scale. */
async function pingRow(concurrency: number, ops: number, url: string): Promise<Row> {
  const client = new Redis(url);
  try {
    await measure(Math.min(500, ops), concurrency, () => client.ping());
    return { mode: 'redis PING', concurrency, acquireUs: (await measure(ops, concurrency, () => client.ping())).us };
  } finally {
    client.disconnect();
  }
}

/** Measures every mode at every concurrency against a fresh redis-server. */
export async function runRedisAcquire(
  profile: ProfileName,
  log: (line: string) => void = () => undefined,
): Promise<RedisAcquireResult> {
  const redis = await startRedis();
  const ops = OPS[profile];
  const rows: Row[] = [];
  try {
    for (const concurrency of CONCURRENCY) {
      rows.push(await pingRow(concurrency, ops, redis.url));
      for (const mode of MODES) {
        log(`${mode} x${concurrency}`);
        rows.push(await row(mode, concurrency, ops, redis.url));
      }
    }
  } finally {
    await redis.stop();
  }
  return { ops, rows };
}

function render(result: RedisAcquireResult): string {
  const rows = result.rows.map((r) => [
    r.mode,
    r.concurrency,
    num(r.acquireUs.p50),
    num(r.acquireUs.p99),
    r.chatUs ? num(r.chatUs.p50) : '',
    r.chatUs ? num(r.chatUs.p99) : '',
    r.chatPerSecond ?? '',
  ]);
  return [
    `Cost of counting one DeepSeek account's in-flight requests across replicas (${result.ops} calls per row, loopback redis-server).`,
    '`strict`: one atomic Lua script per acquire (the limit holds exactly); `local`: counted locally, leases registered in the background.',
    "The chat columns time `pool.chat` against a transport that answers at once (the pool's own cost).",
    '',
    table(['store', 'concurrency', 'acquire+release p50 µs', 'p99 µs', 'chat p50 µs', 'chat p99 µs', 'chats/s'], rows),
  ].join('\n');
}

const suite: BenchSuite<RedisAcquireResult> = {
  id: 'redis-acquire',
  title: 'Shared account slots in Redis: strict vs local counting',
  order: 80,
  run: ({ profile, log }) => runRedisAcquire(profile, log),
  render,
  check: (result) => (result.rows.length === CONCURRENCY.length * (MODES.length + 1) ? [] : ['missing rows']),
};
export default suite;

// `node bench/dist/replicas/redis-acquire.bench.js [smoke|quick|full]` prints the figures as JSON.
runWhenMain(import.meta.url, runRedisAcquire);
