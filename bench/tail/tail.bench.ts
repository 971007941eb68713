import { readFile } from 'node:fs/promises';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { round } from '../lib/histogram.js';
import { fenced, num, percent, table, verdict } from '../lib/markdown.js';
import { startMock } from '../lib/mock-service.js';
import { distModule, repoPath } from '../lib/paths.js';
import { runWhenMain } from '../lib/standalone.js';
import type { BenchSuite, ProfileName, SuiteContext } from '../lib/suite.js';
import { runWorker } from '../lib/worker.js';
import type { RunKey } from '../resilience/clients/chat-client.js';
import { CONDITIONS, FAULTY_KEY, MAX_ATTEMPTS_PER_REQUEST, type TailCondition } from './conditions.js';
import type { TailHedges, TailJob, TailJobResult, TailRecord } from './worker.js';

const CAST = 'bench/scenarios/three-keys.json';
const WORKER = distModule('tail/worker');
/** The stall scenario without hedging rides 20 s stalls: room for them. */
const JOB_TIMEOUT_MS = 600_000;

const SIZES: Record<ProfileName, { requests: number; concurrency: number; withoutHedging: boolean }> = {
  smoke: { requests: 150, concurrency: 10, withoutHedging: false },
  quick: { requests: 1_000, concurrency: 10, withoutHedging: false },
  full: { requests: 1_000, concurrency: 10, withoutHedging: true },
};

/** One condition through one client: latency to the answer (streams: to the first content), traffic per key. */
export interface TailRun {
  condition: TailCondition['id'];
  label: string;
  hedging: boolean;
  requests: number;
  successRate: number;
  errors: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Upstream chat requests (as the mock counted them, hedges included) per request. */
  attemptsPerRequest: number;
  /** Share of the upstream chat requests that went to the faulty key. */
  faultyShare: number;
  /** Hedges sent and races won (absent in older results). */
  hedges?: TailHedges;
}

export interface TailResult {
  cast: string;
  requests: number;
  concurrency: number;
  runs: Array<TailRun | { condition: TailCondition['id']; label: string; hedging: boolean; error: string }>;
}

function percentile(sorted: number[], p: number): number | null {
  return sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)], 1);
}

export function summarize(
  condition: TailCondition,
  hedging: boolean,
  records: TailRecord[],
  chatByKey: Record<string, number>,
  hedges?: TailHedges,
): TailRun {
  const ok = records
    .filter((r) => r.error === undefined)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const errors: Record<string, number> = {};
  for (const r of records) if (r.error !== undefined) errors[r.error] = (errors[r.error] ?? 0) + 1;
  const upstream = Object.values(chatByKey).reduce((sum, n) => sum + n, 0);
  return {
    condition: condition.id,
    label: condition.label,
    hedging,
    requests: records.length,
    successRate: ok.length / Math.max(1, records.length),
    errors,
    p50Ms: percentile(ok, 0.5),
    p99Ms: percentile(ok, 0.99),
    maxMs: ok.length ? round(ok[ok.length - 1], 1) : null,
    attemptsPerRequest: round(upstream / Math.max(1, records.length), 3),
    faultyShare: round((chatByKey[FAULTY_KEY] ?? 0) / Math.max(1, upstream), 4),
    ...(hedges ? { hedges } : {}),
  };
}

async function runCondition(
  condition: TailCondition,
  hedging: boolean,
  size: { requests: number; concurrency: number },
  context: SuiteContext,
): Promise<TailRun> {
  const mock = await startMock(repoPath(CAST));
  try {
    if (condition.fault) await mock.admin.setKey(FAULTY_KEY, condition.fault);
    const cast = JSON.parse(await readFile(repoPath(CAST), 'utf8')) as MockScenario;
    const keys: RunKey[] = cast.keys.map((key) => ({ name: key.name ?? key.key, apiKey: key.key, baseUrl: mock.url }));
    const job: TailJob = {
      keys,
      stream: condition.stream,
      hedging,
      requests: size.requests,
      concurrency: size.concurrency,
    };
    const { records, hedges } = await runWorker<TailJob, TailJobResult>(
      `tail-${condition.id}`,
      WORKER,
      job,
      JOB_TIMEOUT_MS,
    );
    const stats = await mock.admin.stats();
    const chatByKey = Object.fromEntries(Object.entries(stats.keys).map(([name, key]) => [name, key.requests.chat]));
    const run = summarize(condition, hedging, records, chatByKey, hedges);
    context.log(
      `tail / ${condition.id} / hedging ${hedging ? 'on' : 'off'}: ${percent(run.successRate)} ok, p99 ${run.p99Ms} ms, ${run.attemptsPerRequest} attempts/request, ${percent(run.faultyShare, 2)} to ${FAULTY_KEY}, ${hedgesCell(run)} hedges`,
    );
    return run;
  } finally {
    await mock.child.stop();
  }
}

async function run(context: SuiteContext): Promise<TailResult> {
  const size = SIZES[context.profile];
  const runs: TailResult['runs'] = [];
  for (const hedging of size.withoutHedging ? [true, false] : [true]) {
    for (const condition of CONDITIONS) {
      runs.push(
        await runCondition(condition, hedging, size, context).catch((error: unknown) => ({
          condition: condition.id,
          label: condition.label,
          hedging,
          error: (error as Error).message,
        })),
      );
    }
  }
  return { cast: CAST, requests: size.requests, concurrency: size.concurrency, runs };
}

type Measured = Extract<TailResult['runs'][number], { p99Ms: number | null }>;

/**
 * Each fault condition against its goal: p99 ratio to its healthy twin (same run, same machine) or an absolute p99,
 * attempts, success.
 */
function goals(result: TailResult, hedging: boolean): Array<{ run: Measured; ratio: number | null; met: boolean }> {
  const measured = result.runs.filter((r): r is Measured => !('error' in r) && r.hedging === hedging);
  const byId = new Map(measured.map((r) => [r.condition, r]));
  return CONDITIONS.filter((c) => c.fault).flatMap((condition) => {
    const run = byId.get(condition.id);
    if (!run) return [];
    const base = condition.against && byId.get(condition.against.id);
    const ratio = base && run.p99Ms !== null && base.p99Ms ? round(run.p99Ms / base.p99Ms, 2) : null;
    const latencyMet = condition.against
      ? ratio !== null && ratio <= condition.against.maxRatio
      : run.p99Ms !== null && run.p99Ms <= maxP99MsOf(condition);
    return [
      { run, ratio, met: latencyMet && run.successRate === 1 && run.attemptsPerRequest <= MAX_ATTEMPTS_PER_REQUEST },
    ];
  });
}

/** The absolute p99 ceiling of a condition not compared with another. */
function maxP99MsOf(condition: TailCondition): number {
  if (condition.maxP99Ms === undefined) throw new Error(`condition ${condition.id} has no goal`);
  return condition.maxP99Ms;
}

function goalText(condition: TailCondition): string {
  return condition.against
    ? `p99 <= ${condition.against.maxRatio}x ${condition.against.id}`
    : `p99 <= ${num(maxP99MsOf(condition) / 1000, 0)} s`;
}

function goalTable(result: TailResult, hedging: boolean): string {
  return table(
    ['condition', 'goal', 'p99 ms', 'ratio', 'success', 'attempts / request', `share to ${FAULTY_KEY}`, 'verdict'],
    goals(result, hedging).map(({ run, ratio, met }) => {
      const condition = CONDITIONS.find((c) => c.id === run.condition);
      if (!condition) throw new Error(`no condition ${run.condition}`);
      return [
        run.condition,
        goalText(condition),
        num(run.p99Ms, 1),
        ratio === null ? '–' : `${num(ratio, 2)}x`,
        percent(run.successRate),
        num(run.attemptsPerRequest, 3),
        percent(run.faultyShare, 2),
        verdict(met),
      ];
    }),
  );
}

function render(result: TailResult): string {
  const measured = result.runs.filter((r): r is Measured => !('error' in r));
  const failed = result.runs.filter((r) => 'error' in r);
  const hedgingOff = measured.some((r) => !r.hedging);
  return [
    `${result.requests} requests per condition, ${result.concurrency} in flight (closed loop), through the library with its default options, against the mock (${result.cast}: 3 keys on 3 accounts, 20 ms). Each condition runs on a fresh mock and a fresh pool (cold start included); the fault is set on ${FAULTY_KEY} before the load starts. Latency: to the answer (non-stream) or to the first content chunk (stream). Attempts: upstream chat requests the mock received, hedges included, per request. Ratios compare conditions of the same run.`,
    '',
    '**Goals, hedging on (the default):**',
    '',
    goalTable(result, true),
    ...(hedgingOff ? ['', '**The same, hedging off (`hedging: false`):**', '', goalTable(result, false)] : []),
    '',
    '**Every run:**',
    '',
    table(
      [
        'condition',
        'hedging',
        'success',
        'p50 ms',
        'p99 ms',
        'max ms',
        'attempts / request',
        `share to ${FAULTY_KEY}`,
        'hedges (won by the hedge / by the first attempt)',
      ],
      measured.map((r) => [
        r.label,
        r.hedging ? 'on' : 'off',
        percent(r.successRate),
        num(r.p50Ms, 1),
        num(r.p99Ms, 1),
        num(r.maxMs, 1),
        num(r.attemptsPerRequest, 3),
        percent(r.faultyShare, 2),
        hedgesCell(r),
      ]),
    ),
    ...failed.map(
      (r) => `\n${r.label} (hedging ${r.hedging ? 'on' : 'off'}) failed:\n\n${fenced((r as { error: string }).error)}`,
    ),
  ].join('\n');
}

/** Hedges sent, then the races won by each side: "12 (9 / 2)" (a hedge that failed decided no race). */
function hedgesCell(run: TailRun): string {
  const hedges = run.hedges;
  if (hedges === undefined) return '–';
  return `${num(hedges.sent, 0)} (${num(hedges.wonByHedge, 0)} / ${num(hedges.wonByPrimary, 0)})`;
}

function check(result: TailResult): string[] {
  return result.runs.flatMap((r) =>
    'error' in r
      ? [`${r.condition}: ${r.error.split('\n')[0]}`]
      : r.requests > 0
        ? []
        : [`${r.condition}: no request was measured`],
  );
}

const suite: BenchSuite<TailResult> = {
  id: 'tail',
  title: 'Tail latency: hedged requests against a grey failure and a keep-alive stall',
  order: 32,
  run,
  render,
  summary: (result) =>
    `${result.requests} requests at ${result.concurrency} in flight, one key of three slow or stalled:\n\n${goalTable(result, true)}`,
  check,
};
export default suite;

runWhenMain(import.meta.url, (profile, log) => run({ profile, runDir: '', log }));
