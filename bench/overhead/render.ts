import { num, signed, table, verdict } from '../lib/markdown.js';
import type { OverheadResult, OverheadRun } from './overhead.bench.js';

const LABELS: Record<string, string> = {
  undici: 'undici `request` (direct)',
  openai: '`openai` v6 client (direct)',
  pool: '`pool.chat` (8 keys, p2c-ewma)',
  'undici-sse': 'undici SSE (direct)',
  'pool-stream': '`pool.stream` (8 keys)',
};

function rows(runs: readonly OverheadRun[], direct: string): Array<Array<string | number>> {
  return runs.flatMap((run) =>
    Object.entries(run.latencyUs).map(([name, s]) => {
      const base = run.latencyUs[direct]!;
      const diff = (value: number, reference: number) => (name === direct ? '' : signed(value - reference));
      return [run.concurrency, LABELS[name] ?? name, s.count.toLocaleString('en-US'), num(s.p50), num(s.p99), num(s.p999), diff(s.p50, base.p50), diff(s.p99, base.p99), diff(s.p999, base.p999)];
    }),
  );
}

const HEADERS = ['concurrency', 'client', 'calls', 'p50', 'p99', 'p99.9', 'added p50', 'added p99', 'added p99.9'];

export function renderOverhead(result: OverheadResult): string {
  const { mock } = result;
  const parts = [
    `The mock (\`${mock.scenario}\`, ${mock.keys} keys, ${mock.latencyMs} ms latency) runs in its own process; every client runs in one worker process, ` +
      'in interleaved rounds (A, B, C, then B, C, A...) after warm-up rounds that are not recorded. Latencies in µs from HDR histograms; ' +
      '"added" is a percentile of the client minus the same percentile of the direct undici call (a difference of percentiles, not a percentile of differences).',
    '### Targets',
    table(
      ['target', 'limit', 'measured', ''],
      result.targets.map((t) => [t.name, `<= ${t.limitUs} µs`, `${num(t.measuredUs)} µs`, verdict(t.met)]),
    ),
    '### Non-streaming chat (µs to the parsed body)',
    table(HEADERS, rows(result.chat, 'undici')),
    '### Streaming: time to first token (µs to the first content chunk)',
    table(HEADERS, rows(result.stream, 'undici-sse')),
  ];
  if (result.profile) {
    const { profile } = result;
    parts.push(
      '### Where `pool.chat` spends its CPU',
      `\`node --cpu-prof\` of the worker during ${profile.calls.toLocaleString('en-US')} calls at concurrency 1 (${profile.samples.toLocaleString('en-US')} busy samples, ` +
        `garbage collection ${num(profile.gcPercent)}%). Self time, busiest functions first (the worker also runs the load loop and undici):`,
      table(
        ['function', 'location', 'self %'],
        profile.functions.map((f) => [`\`${f.name}\``, `\`${f.location}\``, num(f.selfPercent)]),
      ),
    );
  }
  if (result.profileError) parts.push('### Where `pool.chat` spends its CPU', `The CPU profile failed: ${result.profileError}`);
  return parts.join('\n\n');
}
