import { num, table, verdict } from '../lib/markdown.js';
import type { BenchSuite, ProfileName } from '../lib/suite.js';
import {
  type CastKey,
  MB,
  MODELS,
  type MemorySample,
  chatBody,
  send,
  sleep,
  startHostileGateway,
} from './hostile-gateway.js';

const DURATION_S: Record<ProfileName, number> = { smoke: 6, quick: 60, full: 600 };
const RATE_PER_S = 150;
/** Requests in flight at most (a stalled system shows as a lower achieved rate, not as unbounded load). */
const MAX_IN_FLIGHT = 256;
/** A client gives up after this. */
const CLIENT_TIMEOUT_MS = 10_000;
/** Handles are counted again this long after the load stops. */
const SETTLE_MS = 5_000;
/** Both normal models, for the keys that serve JSON and streams. */
const ALL = [MODELS.normal, MODELS.normalStream];
/** Slope (MB per minute) the last half may not exceed: memory that does not grow (a leak is a positive slope). */
const FLAT_MB_PER_MIN = 1;

/**
 * Mixed faults behind the normal models: healthy keys, 503s, 429s with a huge Retry-After, cut streams, an endless
 * JSON body (JSON requests only: on a stream the mock's endlessBody is valid events without end, a different fault)
 * and an endless SSE line (streams only).
 */
const CAST: CastKey[] = [
  { mock: { key: 'sk-bench-soak-good-00001', name: 'good-1', latencyMs: 20 }, models: ALL },
  { mock: { key: 'sk-bench-soak-good-00002', name: 'good-2', latencyMs: 20 }, models: ALL },
  { mock: { key: 'sk-bench-soak-good-00003', name: 'good-3', latencyMs: 20 }, models: ALL },
  {
    mock: { key: 'sk-bench-soak-flaky-0004', name: 'flaky', latencyMs: 20, errorRates: { '503': 0.3, '500': 0.1 } },
    models: ALL,
  },
  {
    mock: {
      key: 'sk-bench-soak-429-00005',
      name: 'rate-limited',
      status: 429,
      retryAfterHeader: '99999999999999999999999',
    },
    models: ALL,
  },
  { mock: { key: 'sk-bench-soak-cut-00006', name: 'cutting', latencyMs: 20, cutAfterChunks: 2 }, models: ALL },
  { mock: { key: 'sk-bench-soak-body-0007', name: 'endless-body', endlessBody: true }, models: [MODELS.normal] },
  { mock: { key: 'sk-bench-soak-line-0008', name: 'endless-line', endlessLine: true }, models: [MODELS.normalStream] },
];

export interface SoakResult {
  durationS: number;
  offeredPerS: number;
  achievedPerS: number;
  /** Answers by request kind (json, stream, nested) and status, e.g. `"json 200"`. */
  statuses: Record<string, number>;
  samples: number;
  /** Over the last half of the run. */
  rssSlopeMbPerMin: number;
  heapSlopeMbPerMin: number;
  handlesFirst: number;
  handlesLast: number;
  handlesMax: number;
  /** Open handles once the load stopped and SETTLE_MS passed. */
  handlesSettled: number;
  peakRssMb: number;
  /** Every 10th sample (MB, MB, count), for the table. */
  timeline: Array<{ atS: number; rssMb: number; heapMb: number; handles: number }>;
}

/** Least-squares slope of `value` against time, per minute. */
function slopePerMinute(samples: readonly MemorySample[], value: (s: MemorySample) => number): number {
  const xs = samples.map((s) => s.atMs / 60_000);
  const ys = samples.map(value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < xs.length; i++) {
    covariance += (xs[i] - mx) * (ys[i] - my);
    variance += (xs[i] - mx) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

/**
 * Mixed traffic at `RATE_PER_S` for `durationS`: 70% JSON, 30% streams, 1 in 100 a nested body the gateway must refuse.
 */
async function drive(
  url: string,
  durationS: number,
): Promise<{ sent: number; statuses: Record<string, number>; endMs: number }> {
  const statuses: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const nested = `{"model":"${MODELS.normal}","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < durationS * 1_000) {
    const due = Math.floor(((Date.now() - started) / 1_000) * RATE_PER_S);
    while (sent < due && pending.size < MAX_IN_FLIGHT) {
      const stream = sent % 10 < 3;
      const kind = sent % 100 === 99 ? 'nested' : stream ? 'stream' : 'json';
      const body = kind === 'nested' ? nested : chatBody(stream ? MODELS.normalStream : MODELS.normal, stream);
      const request = send(url, body, CLIENT_TIMEOUT_MS).then((status) => {
        statuses[`${kind} ${status}`] = (statuses[`${kind} ${status}`] ?? 0) + 1;
        pending.delete(request);
      });
      pending.add(request);
      sent++;
    }
    await sleep(5);
  }
  const endMs = Date.now();
  await Promise.all(pending);
  return { sent, statuses, endMs };
}

const suite: BenchSuite<SoakResult> = {
  id: 'hardening-soak',
  title: 'Hardening: soak of the gateway under mixed faults',
  order: 51,
  async run({ profile, runDir, log }) {
    const env = await startHostileGateway(CAST, runDir);
    // BENCH_SOAK_S=1800: a longer soak than the profile's, to tell a plateau from a slow leak.
    const durationS = Number(process.env.BENCH_SOAK_S ?? DURATION_S[profile]);
    if (!(durationS > 0))
      throw new Error(`BENCH_SOAK_S must be a positive number of seconds (got "${process.env.BENCH_SOAK_S}")`);
    log(`${durationS} s at ${RATE_PER_S} req/s`);
    const { sent, statuses, endMs } = await drive(env.url, durationS);
    await sleep(SETTLE_MS);
    const handlesSettled = env.samples.at(-1)?.handles ?? 0;
    const samples = env.samples.filter((s) => s.atMs <= endMs);
    const lastHalf = samples.slice(Math.floor(samples.length / 2));
    const handles = lastHalf.map((s) => s.handles);
    const t0 = samples[0]?.atMs ?? 0;
    return {
      durationS,
      offeredPerS: RATE_PER_S,
      achievedPerS: sent / durationS,
      statuses,
      samples: samples.length,
      rssSlopeMbPerMin: slopePerMinute(lastHalf, (s) => s.rssBytes / MB),
      heapSlopeMbPerMin: slopePerMinute(lastHalf, (s) => s.heapUsedBytes / MB),
      handlesFirst: handles[0] ?? 0,
      handlesLast: handles.at(-1) ?? 0,
      handlesMax: Math.max(0, ...handles),
      handlesSettled,
      peakRssMb: Math.max(0, ...samples.map((s) => s.peakRssBytes)) / MB,
      timeline: samples
        .filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0)
        .map((s) => ({
          atS: (s.atMs - t0) / 1_000,
          rssMb: s.rssBytes / MB,
          heapMb: s.heapUsedBytes / MB,
          handles: s.handles,
        })),
    };
  },
  render(result) {
    const flat = (slope: number) => slope <= FLAT_MB_PER_MIN;
    return [
      `${num(result.durationS / 60, 1)} min at ${result.offeredPerS} req/s offered (${num(result.achievedPerS)} sent), 70% JSON / 30% streams, 1% nested bodies, over 8 keys: 3 healthy, one 30% 500/503, one 429 with \`Retry-After: 99999999999999999999999\`, one cutting streams, one endless JSON body (JSON requests), one endless SSE line (streams). The gateway reports its RSS, heap and open handles (\`process.getActiveResourcesInfo()\`) every 250 ms over IPC; slopes are least squares over the last half of the load (${result.samples} samples in all). Client timeouts (status 0) mean the gateway was saturated: on a busy machine 150 req/s is more than it gets CPU for, which makes the soak harsher, not easier.`,
      '',
      table(
        ['measure (last half of the run)', 'target', 'measured', ''],
        [
          [
            'RSS slope',
            `no growth (<= ${FLAT_MB_PER_MIN} MB/min)`,
            `${num(result.rssSlopeMbPerMin, 2)} MB/min`,
            verdict(flat(result.rssSlopeMbPerMin)),
          ],
          [
            'heap slope',
            `no growth (<= ${FLAT_MB_PER_MIN} MB/min)`,
            `${num(result.heapSlopeMbPerMin, 2)} MB/min`,
            verdict(flat(result.heapSlopeMbPerMin)),
          ],
          [
            'open handles, first -> last (max)',
            'flat',
            `${result.handlesFirst} -> ${result.handlesLast} (${result.handlesMax})`,
            '',
          ],
          [`open handles ${SETTLE_MS / 1_000} s after the load`, '', String(result.handlesSettled), ''],
          ['peak RSS', '', `${num(result.peakRssMb)} MB`, ''],
        ],
      ),
      '',
      `Answers by request kind and status (0: the client gave up after ${CLIENT_TIMEOUT_MS / 1_000} s): ${Object.entries(
        result.statuses,
      )
        .map(([status, count]) => `${status}: ${count}`)
        .join(', ')}.`,
      '',
      table(
        ['s', 'RSS MB', 'heap MB', 'handles'],
        result.timeline.map((t) => [num(t.atS, 0), num(t.rssMb), num(t.heapMb), t.handles]),
      ),
    ].join('\n');
  },
  check(result) {
    const problems: string[] = [];
    if (result.samples < 4) problems.push(`too few memory samples (${result.samples})`);
    if (!(result.statuses['json 200'] > 0)) problems.push('no request was answered 200');
    return problems;
  },
};

export default suite;
