import { num, signed, table } from '../lib/markdown.js';
import type { OverheadResult, OverheadRun } from './overhead.bench.js';
import { SLOW_CALL_NS } from './rounds.js';
import { type TargetVerdict, overheadTargets } from './targets.js';

const LABELS: Record<string, string> = {
  undici: 'undici `request` (direct)',
  'undici-aa': 'undici `request` again (A/A control: the noise)',
  transport: "the pool's `UndiciTransport` alone",
  'transport-work': 'the same, then busy on the CPU after the send, in the same event-loop turn',
  openai: '`openai` v6 client (direct; in rounds of its own, against the direct call in them)',
  pool: '`pool.chat` (8 keys, p2c-ewma)',
  'pool-no-hedging': 'the same, `hedging: false` (what its hedges cost)',
  'stub-direct': 'stub transport, direct',
  'pool-stub': '`pool.chat` over the stub transport',
  'pool-stub-no-hedging': '`pool.chat` over the stub transport, `hedging: false`',
  'stub-wait-direct': 'stub transport answering after a round trip to the mock, direct',
  'pool-stub-wait': '`pool.chat` over the same waiting stub',
  'pool-send': '`pool.chat` over loopback, until it calls its transport',
  'pool-stub-off': '`pool.chat` over the stub, `telemetry: false` (= `@opentelemetry/api` not installed)',
  'pool-stub-off-aa': 'the same again (A/A control: the noise)',
  'pool-stub-otel': '`pool.chat` over the stub, recording OpenTelemetry SDK',
  'undici-sse': 'undici SSE (direct)',
  'pool-stream': '`pool.stream` (8 keys)',
};

/** The rows of `runs`, each against `direct` of its run; `only`: the variants to show (default all). */
function rows(runs: readonly OverheadRun[], direct: string, only?: readonly string[]): Array<Array<string | number>> {
  return runs.flatMap((run) =>
    Object.entries(run.latencyUs)
      .filter(([name]) => only === undefined || only.includes(name))
      .map(([name, s]) => {
        const base = run.latencyUs[direct];
        const diff = (value: number, reference: number) => (name === direct ? '' : signed(value - reference));
        return [
          run.concurrency,
          LABELS[name] ?? name,
          s.hedges === undefined
            ? s.count.toLocaleString('en-US')
            : `${s.count.toLocaleString('en-US')} (${s.hedges.toLocaleString('en-US')} ${s.hedges === 1 ? 'hedge' : 'hedges'})`,
          num(s.p50),
          num(s.p99),
          num(s.p999),
          diff(s.p50, base.p50),
          diff(s.p99, base.p99),
          diff(s.p999, base.p999),
        ];
      }),
  );
}

/** Per client at concurrency 1: its calls of SLOW_CALL_NS or more and their share (results that count them). */
function slowCalls(runs: readonly OverheadRun[]): string | undefined {
  const single = runs.filter((run) => run.concurrency === 1);
  const rows = single.flatMap((run) =>
    Object.entries(run.latencyUs).flatMap(([name, s]) =>
      s.slow === undefined
        ? []
        : [
            [
              LABELS[name] ?? name,
              s.count.toLocaleString('en-US'),
              s.slow.toLocaleString('en-US'),
              num((100 * s.slow) / s.count),
            ],
          ],
    ),
  );
  return rows.length === 0
    ? undefined
    : table(['client', 'calls', `calls of ${SLOW_CALL_NS / 1e6} ms or more`, '%'], rows);
}

const HEADERS = ['concurrency', 'client', 'calls', 'p50', 'p99', 'p99.9', 'added p50', 'added p99', 'added p99.9'];

const VERDICTS: Record<TargetVerdict, string> = {
  met: '**met**',
  missed: '**missed**',
  undecided: '**undecided** (the limit is inside the interval)',
};

function targets(result: OverheadResult): string {
  return table(
    ['target', 'limit', 'measured', '95 % interval', 'A/A control', 'over all calls', ''],
    overheadTargets(result.chat).map((t) => [
      t.name,
      t.limit,
      t.measured,
      t.interval,
      t.control,
      t.pooled,
      VERDICTS[t.verdict],
    ]),
  );
}

/** The targets, then every client at concurrency 1 with the pool's in-process cost (µs). */
export function summarizeOverhead(result: OverheadResult): string {
  const single = (runs: readonly OverheadRun[]) => runs.filter((run) => run.concurrency === 1);
  return [
    targets(result),
    table(HEADERS, [
      ...rows(single(result.chat), 'undici'),
      ...rows(single(result.openai ?? []), 'undici', ['openai']),
      ...rows(single(result.inProcess), 'stub-direct'),
      ...rows(single(result.stream), 'undici-sse'),
    ]),
  ].join('\n\n');
}

function openaiTable(result: OverheadResult): string[] {
  if (result.openai === undefined) return [];
  return [
    '### The `openai` client, and the pool beside it (µs to the parsed body)',
    'The `openai` client (fetch inside) runs in rounds of its own, with the direct call and `pool.chat`, after every ' +
      "other measurement: it allocates several times more per call, and in the targets' rounds its garbage and " +
      "connections would change the process for the clients beside it. The pool's row here is `pool.chat` sharing its " +
      'process with that client: compare it with the same row above (bench/FINDINGS.md, finding 1).',
    table(HEADERS, rows(result.openai, 'undici')),
  ];
}

function slowTable(result: OverheadResult): string[] {
  const slow = slowCalls(result.chat);
  if (slow === undefined) return [];
  return [
    `### Calls of ${SLOW_CALL_NS / 1e6} ms or more at concurrency 1`,
    `A call of ${SLOW_CALL_NS / 1e6} ms or more takes several times the typical loopback call: it met a stall (the scheduling of this ` +
      "shared VM, a garbage collection) or is a slow client's tail. The p99 of a client lands among these calls once they " +
      'are 1 % of its calls, so this share, next to the A/A pair\'s, tells how much of an "added p99" is such stalls.',
    slow,
  ];
}

/** Each target's figure in each of its runs (results whose targets ran in fresh processes). */
function perRunTable(result: OverheadResult): string[] {
  const judged = overheadTargets(result.chat).filter((t) => t.perRun.length > 0);
  if (judged.length === 0) return [];
  return [
    "Each run's figure, in the order of the runs (the median of its rounds' differences):",
    table(
      ['target', ...judged[0].perRun.map((_, index) => `run ${index + 1}`)],
      judged.map((t) => [t.name, ...t.perRun]),
    ),
  ];
}

/** How the targets are judged: across fresh processes, or (older results) on one process's rounds. */
function targetMethod(result: OverheadResult): string {
  const runs = result.chat.find((run) => run.runs !== undefined)?.runs;
  const pairing =
    "A round's difference is its percentile of `pool.chat` minus the direct call's in the same round (at concurrency " +
    "64 divided by the direct call's): the clients of a round run one after the other, so each difference compares " +
    'calls made a second or so apart, and a busy spell of the shared machine moves one round, not the verdict.';
  const judged =
    runs === undefined
      ? "Each target is judged on the median of the measured rounds' differences, with an interval of about 95 % for " +
        "that median from the ranks of the rounds' differences (no assumption on their distribution)."
      : `The rounds ran in ${runs} fresh worker processes, one after the other (the clients at concurrency 1, then at ` +
        "64, in each); a run's figure is the median of its rounds' differences, and each target is judged on the " +
        `median of the ${runs} runs' figures, with an interval of about 95 % from their ranks (no assumption on their ` +
        "distribution). Runs minutes apart differ more than the rounds of one run do (the machine's other work, which " +
        "process the scheduler makes wait: bench/FINDINGS.md, finding 1), so an interval from one run's rounds would " +
        'promise more than the next run keeps.';
  return [
    pairing,
    judged,
    'A target is met or missed when the whole interval is on one side of its limit, undecided when the limit is inside ' +
      'it. "A/A control" is the same figure for the direct call measured twice: what the method gives for no ' +
      'difference. "over all calls" is the difference of the percentiles of all the measured calls, as in the tables ' +
      'below.',
  ].join(' ');
}

export function renderOverhead(result: OverheadResult): string {
  const { mock } = result;
  const parts = [
    `The mock (\`${mock.scenario}\`, ${mock.keys} keys, ${mock.latencyMs} ms latency) runs in its own process; the clients run in a worker process ` +
      "(the targets' in several fresh ones, below), in interleaved rounds (every client once per round, in an order " +
      'shuffled anew each round) after warm-up rounds that are not recorded. Latencies in µs from HDR histograms; ' +
      '"added" is a percentile of the client minus the same percentile of the direct undici call (a difference of percentiles, not a percentile of differences). ' +
      "The pool's rows give the hedges it sent in the measured rounds next to their calls (each an extra upstream request).",
    '### Targets',
    targetMethod(result),
    targets(result),
    ...perRunTable(result),
    ...(overheadTargets(result.chat).every((t) => t.verdict === 'met')
      ? []
      : ['A target not met is explained under "Findings" (cause and fix).']),
    '### Non-streaming chat (µs to the parsed body)',
    table(HEADERS, rows(result.chat, 'undici')),
    ...openaiTable(result),
    ...slowTable(result),
    "### The pool's own cost, without the network (µs per call)",
    'Both rows use an in-process stub transport that answers at once with a canned ~470-byte completion; "direct" serialises the request and parses ' +
      'the body, the pool does everything else it does on a call (validation, routing, breaker, timers, accounting). The difference is the CPU the pool adds.',
    table(HEADERS, rows(result.inProcess, 'stub-direct')),
    ...(result.send
      ? [
          "### The pool's work over loopback, before the request leaves (µs)",
          'The same `pool.chat` over the network, timed from the call to the moment it hands the request to its transport (validation, routing, ' +
            'breaker, abort signal, timer, request serialisation), next to the whole in-process call over the stub. "added" is how much more the first ' +
            'half of the work costs on a real network path than all of it in-process.',
          table(HEADERS, rows(result.send, 'pool-stub')),
        ]
      : []),
    ...(result.wait
      ? [
          "### The pool's own cost when the process waits on the network (µs per call)",
          'The in-process pair again, over a stub that answers only after a `GET /models` round trip to the mock (both rows ' +
            "pay it): the answer and the work around it are the stub's, but the process sleeps between each request and its " +
            'answer, as on a network, and other processes run meanwhile. "added" is the same pool work as in the in-process ' +
            'table, run with cold caches.',
          table(HEADERS, rows(result.wait, 'stub-wait-direct')),
        ]
      : []),
    ...(result.turn
      ? [
          "### Why CPU in the call's event-loop turn is latency (µs per call)",
          "The pool's transport alone, then the same call kept busy on the CPU for " +
            `${result.turn.workAfterSendUs} µs right after it hands the request over, before it waits. undici writes a request ` +
            'on an idle keep-alive socket only after the rest of that event-loop turn has run (it first checks the socket for ' +
            'bytes the server sent unasked), so work done in the turn of a call, before or after its send, delays the request ' +
            'itself: "added" is what that work costs the call.',
          table(HEADERS, rows(result.turn.runs, 'transport')),
        ]
      : []),
    ...(result.telemetry
      ? [
          '### OpenTelemetry: what tracing a call costs (µs per call, in-process)',
          '`pool.chat` over the stub transport with telemetry off (the path the pool takes when `@opentelemetry/api` is not installed: ' +
            'no tracer, no-op hooks), with the API loaded and no SDK (its no-op tracer and meter, the default in an app that exports nothing), ' +
            'and with a recording SDK (a call span and an attempt span batched then dropped, the GenAI histograms aggregated). "added" is against telemetry off.',
          table(HEADERS, rows(result.telemetry, 'pool-stub-off')),
        ]
      : []),
    '### Streaming: time to first token (µs to the first content chunk)',
    table(HEADERS, rows(result.stream, 'undici-sse')),
  ];
  if (result.profile) {
    const { profile } = result;
    parts.push(
      '### Where `pool.chat` spends its CPU',
      `\`node --cpu-prof\` of a worker making ${profile.calls.toLocaleString('en-US')} \`pool.chat\` calls over the stub transport (${profile.samples.toLocaleString('en-US')} busy samples). ` +
        'Self time by origin (the load loop and the stub are in "bench"; module loading at start-up is in node\'s internals):',
      table(
        ['origin', 'self %'],
        profile.areas.slice(0, 12).map((a) => [a.area, num(a.selfPercent)]),
      ),
      "The busiest functions of the library, opossum and node's internals (which the library calls: abort signals, timers):",
      table(
        ['function', 'location', 'self %'],
        profile.functions.map((f) => [`\`${f.name}\``, `\`${f.location}\``, num(f.selfPercent)]),
      ),
    );
  }
  if (result.profileError)
    parts.push('### Where `pool.chat` spends its CPU', `The CPU profile failed: ${result.profileError}`);
  return parts.join('\n\n');
}
