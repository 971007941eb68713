import { fenced, num, table } from '../lib/markdown.js';
import type { SystemResult, ThroughputResult } from './throughput.bench.js';

type Running = Extract<SystemResult, { status: 'ok' }>;

function errorCount(step: Running['steps'][number]): string {
  const { connection, timeouts, non2xx } = step.errors;
  const total = connection + timeouts + non2xx;
  return total === 0 ? '0' : `${total} (${[connection && `${connection} conn`, timeouts && `${timeouts} timeouts`, non2xx && `${non2xx} non-2xx`].filter(Boolean).join(', ')})`;
}

export function renderThroughput(result: ThroughputResult): string {
  const running = result.systems.filter((s): s is Running => s.status === 'ok');
  const down = result.systems.filter((s) => s.status === 'unavailable');
  const { mock } = result;
  const parts = [
    `Mock \`${mock.scenario}\` (${mock.keys} keys, ${mock.latencyMs} ms per answer) in its own process; each system in its own process; ` +
      'autocannon (closed loop: each connection sends its next request when the previous answer arrives) in the runner process. ' +
      `All three share this machine's cores, so the mock and the load generator cap every row (see the reference row). Latencies in ms (autocannon's 1 ms resolution); ` +
      `"added p99" = p99 - ${mock.latencyMs} ms.`,
    `### Highest sustained rate with added p99 < ${result.addedP99LimitMs} ms and no errors`,
    table(
      ['system', 'req/s', 'at connections', 'upstream requests per answer', 'setup'],
      running.map((s) => [s.label, s.sustained ? s.sustained.reqPerS.toLocaleString('en-US') : 'none', s.sustained?.connections ?? '–', num(s.upstreamPerAnswer, 2), s.note]),
    ),
    '### Every step',
    table(
      ['system', 'connections', 'req/s', 'p50', 'p99', 'added p99', 'errors'],
      running.flatMap((s) => s.steps.map((step) => [s.label, step.connections, step.reqPerS.toLocaleString('en-US'), num(step.latencyMs.p50, 0), num(step.latencyMs.p99, 0), num(step.addedP99Ms, 0), errorCount(step)])),
    ),
  ];
  if (result.gatewayProfile) {
    const p = result.gatewayProfile;
    parts.push(
      "### Where the sample gateway's CPU goes",
      `\`node --cpu-prof\` of the gateway process under ${p.connections} connections for ${p.seconds} s (${p.reqPerS.toLocaleString('en-US')} req/s, ` +
        `${p.samples.toLocaleString('en-US')} busy samples). Self time by origin, then the busiest functions:`,
      table(['origin', 'self %'], p.areas.slice(0, 12).map((a) => [a.area, num(a.selfPercent)])),
      table(['function', 'location', 'self %'], p.functions.map((f) => [`\`${f.name}\``, `\`${f.location}\``, num(f.selfPercent)])),
    );
  }
  if (result.gatewayProfileError) parts.push("### Where the sample gateway's CPU goes", `The CPU profile failed: ${result.gatewayProfileError}`);
  for (const system of down) {
    if (system.status === 'unavailable') parts.push(`### ${system.label}: could not run`, `Starting it failed, so it has no figures:`, fenced(system.reason));
  }
  return parts.join('\n\n');
}
