import { fenced, num, table } from '../lib/markdown.js';
import { median } from '../lib/median.js';
import type { RoundRate, SystemResult, ThroughputResult } from './throughput.bench.js';

type Running = Extract<SystemResult, { status: 'ok' }>;
type Step = Running['steps'][number];

function errorCount(step: Step): string {
  const { connection, timeouts, non2xx } = step.errors;
  const total = connection + timeouts + non2xx;
  return total === 0
    ? '0'
    : `${total} (${[connection && `${connection} conn`, timeouts && `${timeouts} timeouts`, non2xx && `${non2xx} non-2xx`].filter(Boolean).join(', ')})`;
}

const clean = (step: Step) => step.errors.connection + step.errors.timeouts + step.errors.non2xx === 0;

/**
 * The highest rate at which the system's p99 stays within `limitMs` of the reference's p99 at the same number of
 * connections, without errors: what the proxy adds beyond this rig's own tail (mock timers, load generator, VM).
 */
function sustainedOverReference(system: Running, reference: Running | undefined, limitMs: number): string {
  if (!reference || system === reference) return '–';
  const within = system.steps.filter((step) => {
    const base = reference.steps.find((r) => r.connections === step.connections);
    return base !== undefined && clean(step) && step.latencyMs.p99 - base.latencyMs.p99 < limitMs;
  });
  const best = within.sort((a, b) => b.reqPerS - a.reqPerS).at(0);
  return best ? `${best.reqPerS.toLocaleString('en-US')} (x${best.connections})` : 'none';
}

/** The highest rate of any error-free step, with its connections and p99. */
function peak(system: Running): string {
  const best = system.steps
    .filter(clean)
    .sort((a, b) => b.reqPerS - a.reqPerS)
    .at(0);
  return best
    ? `${best.reqPerS.toLocaleString('en-US')} (x${best.connections}, p99 ${num(best.latencyMs.p99, 0)} ms)`
    : 'none';
}

/** Where the sample gateway's rate is judged against the direct rate: at least this share, at these connections. */
const TARGET = { connections: 128, share: 0.85 };

/** A system's rate at the verdict's connections: per round (one step for results without rounds). */
interface Rates {
  label: string;
  id: string;
  rounds: RoundRate[];
}

/** Each system's rates at the verdict's connections: its verdict rounds, else its step there (older results). */
function ratesOf(result: ThroughputResult, running: readonly Running[]): { connections: number; rates: Rates[] } {
  const { verdict } = result;
  if (verdict !== undefined)
    return {
      connections: verdict.connections,
      rates: running.flatMap((s) => {
        const rounds = verdict.bySystem[s.id] as RoundRate[] | undefined;
        return rounds === undefined ? [] : [{ label: s.label, id: s.id, rounds }];
      }),
    };
  return {
    connections: TARGET.connections,
    rates: running.flatMap((s) => {
      const step = s.steps.find((st) => st.connections === TARGET.connections);
      return step === undefined ? [] : [{ label: s.label, id: s.id, rounds: [step] }];
    }),
  };
}

/**
 * Every system's rate at the verdict's connections as a share of the direct rate: per round (the systems of a round
 * ran back to back), then the median of those shares, the gateway's verdict first.
 */
function shareOfDirect(result: ThroughputResult, running: readonly Running[]): string | undefined {
  const { connections, rates } = ratesOf(result, running);
  const direct = rates.find((r) => r.id === 'mock-direct');
  if (!direct) return undefined;
  const shares = (r: Rates) =>
    r.rounds.flatMap((round, i) => (direct.rounds[i]?.reqPerS ? [round.reqPerS / direct.rounds[i].reqPerS] : []));
  const gateway = rates.find((r) => r.id === 'gateway');
  const share = gateway && shares(gateway).length > 0 ? median(shares(gateway)) : undefined;
  const verdict = share === undefined ? 'not measured' : share >= TARGET.share ? 'met' : '**missed**';
  const roundCount = direct.rounds.length;
  const cpu = (r: Rates) =>
    r.rounds.flatMap((round) => (round.cpuUsPerAnswer === undefined ? [] : [round.cpuUsPerAnswer]));
  return [
    table(
      ['target', 'limit', 'measured', ''],
      [
        [
          `sample gateway's rate at ${connections} connections`,
          `>= ${num(TARGET.share * 100, 0)} % of direct`,
          // two decimals: a share just under the limit never shows as the limit itself
          share === undefined ? '–' : `${num(share * 100, 2)} %`,
          verdict,
        ],
      ],
    ),
    roundCount > 1
      ? `${roundCount} rounds: every system running, each warmed up alone for ${result.verdict?.warmupS ?? 3} s, then loaded in turn for ${result.verdict?.seconds ?? '?'} s per round in ` +
        "an order rotated every round; a share is the system's rate over the direct rate of the same round, the " +
        'measured share their median. Rates and CPU are medians over the rounds, the share of each round beside them.'
      : '',
    table(
      [
        'system',
        `req/s at ${connections} connections`,
        'share of direct',
        ...(roundCount > 1 ? ['shares per round'] : []),
        'CPU µs per answer',
      ],
      rates.map((r) => {
        const own = shares(r);
        const cpuUs = cpu(r);
        return [
          r.label,
          Math.round(median(r.rounds.map((round) => round.reqPerS))).toLocaleString('en-US'),
          own.length === 0 ? '–' : `${num(median(own) * 100, 0)} %`,
          ...(roundCount > 1 ? [own.map((x) => num(x * 100, 0)).join(', ')] : []),
          cpuUs.length === 0 ? '–' : Math.round(median(cpuUs)).toLocaleString('en-US'),
        ];
      }),
    ),
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

/** Per system: the highest rate within the added-p99 target, within the reference's tail, and the peak. */
function highestRates(result: ThroughputResult, running: readonly Running[], reference: Running | undefined): string {
  const { mock } = result;
  const limit = result.addedP99LimitMs;
  return table(
    [
      'system',
      `req/s with p99 - ${mock.latencyMs} ms < ${limit} ms`,
      `req/s with p99 < reference p99 + ${limit} ms`,
      'peak req/s without errors',
      'upstream requests per answer',
      'setup',
    ],
    running.map((s) => [
      s.label,
      s.sustained ? `${s.sustained.reqPerS.toLocaleString('en-US')} (x${s.sustained.connections})` : 'none',
      sustainedOverReference(s, reference, limit),
      peak(s),
      num(s.upstreamPerAnswer, 2),
      s.note,
    ]),
  );
}

const runningOf = (result: ThroughputResult) => result.systems.filter((s): s is Running => s.status === 'ok');
const referenceOf = (running: readonly Running[]) => running.find((s) => s.id === 'mock-direct');

/** The share of the direct rate at the target's connections (when measured there), then the highest rates. */
export function summarizeThroughput(result: ThroughputResult): string {
  const running = runningOf(result);
  const reference = referenceOf(running);
  const shares = shareOfDirect(result, running);
  const highest = highestRates(result, running, reference);
  return shares === undefined ? highest : `${shares}\n\n${highest}`;
}

export function renderThroughput(result: ThroughputResult): string {
  const running = runningOf(result);
  const reference = referenceOf(running);
  const shares = shareOfDirect(result, running);
  const down = result.systems.filter((s) => s.status === 'unavailable');
  const { mock } = result;
  const limit = result.addedP99LimitMs;
  const parts = [
    `Mock \`${mock.scenario}\` (${mock.keys} keys, ${mock.latencyMs} ms per answer) in its own process; each system in its own process; ` +
      'autocannon (closed loop: each connection sends its next request when the previous answer arrives) in the runner process. ' +
      `All three share this machine's cores, so the mock and the load generator cap every row (see the reference row). Latencies in ms (autocannon's 1 ms resolution); ` +
      `"added p99" = p99 - ${mock.latencyMs} ms. "CPU µs per answer": user + system CPU time of the system's own process ` +
      '(all threads, /proc/<pid>/task/*/schedstat) over the step, divided by its answers: what decides its rate when the cores are shared.',
    ...(shares === undefined
      ? []
      : [`### Against the direct rate at ${ratesOf(result, running).connections} connections`, shares]),
    `### Highest sustained rate with added p99 < ${limit} ms and no errors, and the peak`,
    `"p99 - ${mock.latencyMs} ms" is the target's definition; as the reference row shows, this rig's own tail (the mock's timers, the load generator, the VM) ` +
      `can exceed ${limit} ms by itself, so the next column also gives the highest rate whose p99 stays within ${limit} ms of the reference's p99 at the same connections.`,
    highestRates(result, running, reference),
    '### Every step',
    table(
      ['system', 'connections', 'req/s', 'p50', 'p99', 'added p99', 'errors', 'CPU µs per answer'],
      running.flatMap((s) =>
        s.steps.map((step) => [
          s.label,
          step.connections,
          step.reqPerS.toLocaleString('en-US'),
          num(step.latencyMs.p50, 0),
          num(step.latencyMs.p99, 0),
          num(step.addedP99Ms, 0),
          errorCount(step),
          step.cpuUsPerAnswer === undefined ? '–' : step.cpuUsPerAnswer.toLocaleString('en-US'),
        ]),
      ),
    ),
  ];
  if (result.gatewayProfile) {
    const p = result.gatewayProfile;
    parts.push(
      "### Where the sample gateway's CPU goes",
      `\`node --cpu-prof\` of the gateway process under ${p.connections} connections for ${p.seconds} s (${p.reqPerS.toLocaleString('en-US')} req/s, ` +
        `${p.samples.toLocaleString('en-US')} busy samples). Self time by origin, then the busiest functions:`,
      table(
        ['origin', 'self %'],
        p.areas.slice(0, 12).map((a) => [a.area, num(a.selfPercent)]),
      ),
      table(
        ['function', 'location', 'self %'],
        p.functions.map((f) => [`\`${f.name}\``, `\`${f.location}\``, num(f.selfPercent)]),
      ),
    );
  }
  if (result.gatewayProfileError)
    parts.push("### Where the sample gateway's CPU goes", `The CPU profile failed: ${result.gatewayProfileError}`);
  for (const system of down)
    parts.push(
      `### ${system.label}: could not run`,
      `Starting it failed, so it has no figures:`,
      fenced(system.reason),
    );
  return parts.join('\n\n');
}
