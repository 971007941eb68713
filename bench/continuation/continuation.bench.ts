import { readFile } from 'node:fs/promises';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { round } from '../lib/histogram.js';
import { fenced, num, percent, table } from '../lib/markdown.js';
import { startMock } from '../lib/mock-service.js';
import { distModule, repoPath } from '../lib/paths.js';
import { type PortkeyService, startPortkey } from '../lib/portkey.js';
import { runWhenMain } from '../lib/standalone.js';
import type { BenchSuite, ProfileName, SuiteContext } from '../lib/suite.js';
import { runWorker } from '../lib/worker.js';
import type { RunKey } from '../resilience/clients/chat-client.js';
import type { StreamSystem } from './stream-clients.js';
import type { ContinuationJob, StreamRecord } from './worker.js';

const CAST = 'bench/scenarios/three-cutting-keys.json';
const WORKER = distModule('continuation/worker');
const JOB_TIMEOUT_MS = 300_000;

const SIZES: Record<ProfileName, { concurrency: number; rounds: number; systems: StreamSystem[] }> = {
  smoke: { concurrency: 20, rounds: 1, systems: ['pool', 'naive'] },
  quick: {
    concurrency: 60,
    rounds: 2,
    systems: ['naive', 'pool-no-continuation', 'pool', 'pool-4-continuations', 'portkey'],
  },
  full: {
    concurrency: 60,
    rounds: 5,
    systems: ['naive', 'pool-no-continuation', 'pool', 'pool-4-continuations', 'portkey'],
  },
};

const LABELS: Record<StreamSystem, string> = {
  naive: 'naive rotator',
  'pool-no-continuation': 'pool, continuation off (before this feature)',
  pool: 'pool (continuation on, the default: 2 per stream)',
  'pool-4-continuations': 'pool, continuation.maxAttempts 4',
  portkey: 'Portkey',
};

/** One system's streams, summarised. Times in ms from the request to the end of the stream. */
export interface SystemRun {
  system: StreamSystem;
  label: string;
  streams: number;
  /** Ended normally with the reference text, byte for byte. */
  exact: number;
  /** Ended normally with another text (repeated or missing text). */
  wrongText: number;
  errors: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Streams continued at least once, and continuations in all. */
  continued: number;
  continuations: number;
  /**
   * Median time of streams served by one attempt, of streams served by one attempt plus one continuation, and the
   * difference.
   */
  cleanMedianMs: number | null;
  continuedMedianMs: number | null;
  addedMsPerContinuation: number | null;
  /** Upstream chat requests and prompt tokens (as the mock billed them) per stream. */
  upstreamPerStream: number;
  promptTokensPerStream: number;
}

export interface ContinuationResult {
  cast: string;
  concurrency: number;
  rounds: number;
  cutProbability: number;
  portkey: { status: 'ok'; version: string } | { status: 'unavailable'; reason: string } | { status: 'not-run' };
  runs: Array<SystemRun | { system: StreamSystem; label: string; error: string }>;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

export function summarize(
  system: StreamSystem,
  records: StreamRecord[],
  upstream: { chat: number; promptTokens: number },
): SystemRun {
  const exact = records.filter((r) => r.outcome === 'exact');
  const errors: Record<string, number> = {};
  for (const r of records)
    if (r.outcome !== 'exact' && r.outcome !== 'wrong-text') errors[r.outcome] = (errors[r.outcome] ?? 0) + 1;
  const clean = median(exact.filter((r) => r.attempts === 1 && r.continuations === 0).map((r) => r.ms));
  const continuedOnce = median(exact.filter((r) => r.attempts === 2 && r.continuations === 1).map((r) => r.ms));
  const at = (value: number | null) => (value === null ? null : round(value, 1));
  return {
    system,
    label: LABELS[system],
    streams: records.length,
    exact: exact.length,
    wrongText: records.filter((r) => r.outcome === 'wrong-text').length,
    errors,
    p50Ms: at(
      percentile(
        exact.map((r) => r.ms),
        0.5,
      ),
    ),
    p99Ms: at(
      percentile(
        exact.map((r) => r.ms),
        0.99,
      ),
    ),
    continued: records.filter((r) => r.continuations > 0).length,
    continuations: records.reduce((sum, r) => sum + r.continuations, 0),
    cleanMedianMs: at(clean),
    continuedMedianMs: at(continuedOnce),
    addedMsPerContinuation: clean === null || continuedOnce === null ? null : round(continuedOnce - clean, 1),
    upstreamPerStream: round(upstream.chat / Math.max(1, records.length), 2),
    promptTokensPerStream: round(upstream.promptTokens / Math.max(1, records.length), 1),
  };
}

/** One system on a fresh mock (same cast, same seed: the same cuts are drawn for every system, request for request). */
async function runSystem(
  system: StreamSystem,
  size: { concurrency: number; rounds: number },
  reference: string,
  portkey: PortkeyService | undefined,
  context: SuiteContext,
): Promise<SystemRun> {
  const mock = await startMock(repoPath(CAST));
  try {
    const cast = JSON.parse(await readFile(repoPath(CAST), 'utf8')) as MockScenario;
    const keys: RunKey[] = cast.keys.map((key) => ({ name: key.name ?? key.key, apiKey: key.key, baseUrl: mock.url }));
    const job: ContinuationJob = {
      system,
      keys,
      concurrency: size.concurrency,
      rounds: size.rounds,
      reference,
      ...(portkey ? { portkeyUrl: portkey.url } : {}),
    };
    const records = await runWorker<ContinuationJob, StreamRecord[]>(
      `continuation-${system}`,
      WORKER,
      job,
      JOB_TIMEOUT_MS,
    );
    const stats = await mock.admin.stats();
    const keyStats = Object.values(stats.keys);
    const run = summarize(system, records, {
      chat: stats.totalRequests.chat,
      promptTokens: keyStats.reduce((sum, k) => sum + k.tokens.prompt, 0),
    });
    context.log(
      `continuation / ${system}: ${run.exact}/${run.streams} exact, ${run.continuations} continuations, +${run.addedMsPerContinuation ?? '–'} ms per continuation`,
    );
    return run;
  } finally {
    await mock.child.stop();
  }
}

async function run(context: SuiteContext): Promise<ContinuationResult> {
  const size = SIZES[context.profile];
  const cast = JSON.parse(await readFile(repoPath(CAST), 'utf8')) as MockScenario;
  const reference = cast.defaults?.reply;
  const cutProbability = cast.defaults?.cutStream?.probability;
  if (reference === undefined || cutProbability === undefined)
    throw new Error(`${CAST} needs defaults.reply and defaults.cutStream.probability`);
  let portkey: PortkeyService | undefined;
  let portkeyStatus: ContinuationResult['portkey'] = { status: 'not-run' };
  if (size.systems.includes('portkey')) {
    try {
      portkey = await startPortkey();
      portkeyStatus = { status: 'ok', version: portkey.version };
    } catch (error) {
      portkeyStatus = { status: 'unavailable', reason: (error as Error).message };
    }
  }
  try {
    const runs: ContinuationResult['runs'] = [];
    for (const system of size.systems) {
      if (system === 'portkey' && !portkey) {
        runs.push({ system, label: LABELS[system], error: 'Portkey gateway unavailable' });
        continue;
      }
      runs.push(
        await runSystem(system, size, reference, portkey, context).catch((error: unknown) => ({
          system,
          label: LABELS[system],
          error: (error as Error).message,
        })),
      );
    }
    return {
      cast: CAST,
      concurrency: size.concurrency,
      rounds: size.rounds,
      cutProbability,
      portkey: portkeyStatus,
      runs,
    };
  } finally {
    await portkey?.child.stop();
  }
}

function errorsOf(run: SystemRun): string {
  const entries = Object.entries(run.errors).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '–' : entries.map(([kind, count]) => `${kind} (${count})`).join(', ');
}

function headline(result: ContinuationResult): string {
  const measured = result.runs.filter((r): r is SystemRun => 'streams' in r);
  return table(
    [
      'client',
      'streams',
      'whole, exact text',
      'wrong text',
      'errors',
      'continued',
      'added ms per continuation',
      'upstream requests per stream',
      'prompt tokens per stream',
    ],
    measured.map((r) => [
      r.label,
      r.streams,
      percent(r.exact / Math.max(1, r.streams)),
      r.wrongText,
      errorsOf(r),
      r.continuations > 0 ? `${r.continued} (${r.continuations} continuations)` : '–',
      num(r.addedMsPerContinuation, 1),
      num(r.upstreamPerStream, 2),
      num(r.promptTokensPerStream, 1),
    ]),
  );
}

function render(result: ContinuationResult): string {
  const measured = result.runs.filter((r): r is SystemRun => 'streams' in r);
  const failed = result.runs.filter((r) => 'error' in r) as Array<{ label: string; error: string }>;
  return [
    `Cast \`${result.cast}\`: 3 keys on 3 accounts, each cutting ${percent(result.cutProbability, 0)} of its streams at a uniformly drawn byte of the body; ` +
      `${result.rounds} round(s) of ${result.concurrency} concurrent streams per client, each on a fresh mock with the same seed. ` +
      'A stream counts only when it ended normally (`[DONE]`, no error) with the reference text byte for byte.',
    '',
    headline(result),
    '',
    'Time to the end of the stream (ms, exact answers only). "Added" is the median of streams served by one attempt plus one continuation minus the median of streams served by one attempt: the price of a continuation (a new request, its first token), measured on the same machine in the same run.',
    '',
    table(
      ['client', 'p50', 'p99', 'median, one attempt', 'median, one continuation', 'added'],
      measured.map((r) => [
        r.label,
        num(r.p50Ms, 1),
        num(r.p99Ms, 1),
        num(r.cleanMedianMs, 1),
        num(r.continuedMedianMs, 1),
        num(r.addedMsPerContinuation, 1),
      ]),
    ),
    ...failed.map((r) => `\n${r.label} failed:\n\n${fenced(r.error)}`),
  ].join('\n');
}

function check(result: ContinuationResult): string[] {
  return result.runs.flatMap((r) => {
    if ('error' in r)
      return r.system === 'portkey' && result.portkey.status === 'unavailable'
        ? []
        : [`${r.system}: ${r.error.split('\n')[0]}`];
    return r.streams > 0 ? [] : [`${r.system}: no stream was measured`];
  });
}

const suite: BenchSuite<ContinuationResult> = {
  id: 'continuation',
  title: 'Stream continuation: streams cut at a random point, continued on another key',
  order: 35,
  run,
  render,
  summary: (result) =>
    `3 keys on 3 accounts, each cutting ${percent(result.cutProbability, 0)} of its streams at a random byte; ${result.concurrency} concurrent streams:\n\n${headline(result)}`,
  check,
};
export default suite;

runWhenMain(import.meta.url, (profile, log) => run({ profile, runDir: '', log }));
