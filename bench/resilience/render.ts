import { fenced, num, percent, table, verdict } from '../lib/markdown.js';
import type { RunMetrics } from './metrics.js';
import type { ResilienceResult, RunRecord, ScenarioResult } from './resilience.bench.js';

type Measured = Extract<RunRecord, { metrics: RunMetrics }>;

const seconds = (ms: number) => `${num(ms / 1000, 1)} s`;

function stops(m: RunMetrics): string {
  if (!m.traffic) return '–';
  return m.traffic.stopsAfterMs === null ? 'never' : seconds(m.traffic.stopsAfterMs);
}

function returns(m: RunMetrics, recoveryMs: number): string {
  if (m.traffic?.returnsAfterMs === undefined) return '–';
  return m.traffic.returnsAfterMs === null ? `not within ${seconds(recoveryMs)}` : seconds(m.traffic.returnsAfterMs);
}

function mainError(m: RunMetrics): string {
  const [kind, count] = Object.entries(m.errors).sort((a, b) => b[1] - a[1])[0] ?? [];
  return kind ? `${kind} (${count})` : '–';
}

function attempts(m: RunMetrics, ceiling: number | undefined): string {
  const value = num(m.attemptsPerRequest, 2);
  return ceiling === undefined ? value : `${value} ${verdict(m.attemptsPerRequest <= ceiling)}`;
}

function systemsOf(result: ResilienceResult): Array<{ system: string; label: string }> {
  const seen = new Map<string, string>();
  for (const scenario of result.scenarios) for (const run of scenario.runs) seen.set(run.system, run.label);
  return [...seen].map(([system, label]) => ({ system, label }));
}

function matrix(result: ResilienceResult, cell: (m: RunMetrics, s: ScenarioResult) => string): string {
  const systems = systemsOf(result);
  return table(
    ['scenario', ...systems.map((s) => s.label)],
    result.scenarios.map((scenario) => [
      `${scenario.anchor}. ${scenario.id}`,
      ...systems.map(({ system }) => {
        const run = scenario.runs.find((r) => r.system === system);
        if (!run) return '';
        return 'error' in run ? 'failed' : cell(run.metrics, scenario);
      }),
    ]),
  );
}

function scenarioSection(scenario: ScenarioResult, recoveryMs: number): string {
  const measured = scenario.runs.filter((r): r is Measured => 'metrics' in r);
  const failed = scenario.runs.filter((r) => 'error' in r);
  const ceiling = scenario.maxAttemptsPerRequest;
  const rows = measured.map(({ label, metrics: m }) => [
    label,
    percent(m.successRate),
    num(m.latencyMs.p50, 0),
    num(m.latencyMs.p99, 0),
    attempts(m, ceiling),
    percent(m.faultyShare, 0),
    stops(m),
    returns(m, recoveryMs),
    mainError(m),
  ]);
  const parts = [
    `### ${scenario.anchor}. ${scenario.title}`,
    `${scenario.ratePerS} requests/s offered. A good client should ${scenario.expectation}.${ceiling === undefined ? '' : ` Ceiling: ${ceiling} upstream attempts per request.`}`,
    table(
      [
        'client',
        'success',
        'p50 ms',
        'p99 ms',
        'attempts / request',
        'share to faulty keys',
        "faulty keys' traffic stops after",
        'comes back after',
        'most frequent error',
      ],
      rows,
    ),
  ];
  for (const run of failed) if ('error' in run) parts.push(`${run.label} could not run:`, fenced(run.error));
  return parts.join('\n\n');
}

/** Success rate and upstream attempts per request, scenario by client. */
export function summarizeResilience(result: ResilienceResult): string {
  return [
    'Success rate:',
    matrix(result, (m) => percent(m.successRate)),
    'Upstream attempts per request:',
    matrix(result, (m, scenario) => attempts(m, scenario.maxAttemptsPerRequest)),
  ].join('\n\n');
}

export function renderResilience(result: ResilienceResult): string {
  const { settings: s, portkey } = result;
  const intro = [
    `- Each run: a fresh mock process and a fresh client (in a worker process), under an open-loop load (requests evenly spaced at the scenario's rate, ` +
      `each with its own deadline). The fault is switched on after a ${seconds(s.phases.baselineMs)} healthy baseline, lasts ${seconds(s.phases.faultMs)}, ` +
      `and (when it ends) is switched off for ${seconds(s.phases.recoveryMs)}.`,
    `- Success, latency and attempts cover the requests started while the fault was on (the whole run for scenario 10); latencies include failed requests. ` +
      'The load pauses at the end of the fault until those requests have finished, so every upstream attempt counted is one of theirs.',
    `- Same limits for every client: an attempt is abandoned after ${s.attemptTimeoutMs} ms without an answer, a request after ${s.requestDeadlineMs} ms ` +
      `(the caller's deadline), at most ${s.maxAttempts} attempts (Portkey's config allows 4). The naive rotator skips a key for ${seconds(s.naiveSkipMs)} after a 429. ` +
      `The pool runs with its defaults except those limits and a breaker reset of ${s.breakerResetMs} ms (default 15 s, scaled to these short phases), without its active prober.`,
    '- Upstream attempts come from the mock\'s chat request counters, sampled every 25 ms. "Traffic stops after": from then to the end of the fault, every ' +
      '0.5 s window gives the faulty keys less than 25% of their fair share of the offered rate (a few half-open probes or cooldown retries stay under it); ' +
      '"comes back after": the end of the first 0.2 s after the fault with at least 50% of it.',
  ].join('\n');
  const portkeyLine =
    portkey.status === 'ok'
      ? `Portkey (\`@portkey-ai/gateway\` ${portkey.version}, its own process): fallback over two loadbalance groups of every key, one retry of the same key on 429/5xx, \`request_timeout\` ${s.attemptTimeoutMs} ms. It can express every scenario here except latency awareness (6) and account limits (10), where it runs the same config.`
      : portkey.status === 'unavailable'
        ? `Portkey could not be started, so it has no figures:\n\n${fenced(portkey.reason)}`
        : 'Portkey was not part of this run.';
  return [
    intro,
    portkeyLine,
    '### Success rate',
    matrix(result, (m) => percent(m.successRate)),
    '### Upstream attempts per request',
    matrix(result, (m, scenario) => attempts(m, scenario.maxAttemptsPerRequest)),
    ...result.scenarios.map((scenario) => scenarioSection(scenario, s.phases.recoveryMs)),
  ].join('\n\n');
}
