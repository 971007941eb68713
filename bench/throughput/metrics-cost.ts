/**
 * Time the sample gateway's Prometheus recorder spends per successful request (one attempt, the request, its token
 * usage: what the pool reports for each answer), for several gateway builds side by side in one process: interleaved
 * rounds, median ns per request. List a build twice for an A/A control.
 *
 *   node bench/dist/throughput/metrics-cost.js [--requests 200000] [--rounds 21] c5aaad7 c5aaad7 current
 *
 * Builds are git revisions (checked out and built as gateway-builds.js does) or `current`.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PoolMetricsRecorder, Usage } from 'nestjs-deepseek-pool';
import { gatewayCheckout } from '../lib/gateway-checkout.js';
import { median } from '../lib/median.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '21' } },
});
if (positionals.length === 0) throw new Error('name the builds: git revisions, or current');

type Recorder = Required<PoolMetricsRecorder>;
type RecorderClass = new () => Recorder;

async function load(ref: string): Promise<RecorderClass> {
  const file = join(gatewayCheckout(ref), 'apps/gateway/dist/metrics/prometheus-pool-metrics.js');
  return ((await import(file)) as { PrometheusPoolMetrics: RecorderClass }).PrometheusPoolMetrics;
}

const KEYS = Array.from({ length: 8 }, (_, i) => `key-${i + 1}`);
const USAGE: Usage = {
  prompt_tokens: 20,
  prompt_cache_hit_tokens: 5,
  prompt_cache_miss_tokens: 15,
  completion_tokens: 30,
  total_tokens: 50,
};
/** Each request's model name is a fresh string, as parsed from its body. */
const MODEL_JSON = '"deepseek-v4-flash"';

const requests = Number(values.requests);
const recorders = await Promise.all(positionals.map(async (ref) => new (await load(ref))()));
const nsPerRequest = (recorder: Recorder): number => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) {
    const keyId = KEYS[i % KEYS.length];
    const model = JSON.parse(MODEL_JSON) as string;
    recorder.attempt({ keyId, model, outcome: 'success', status: 200, latencyMs: 51, stream: false });
    recorder.request({ model, outcome: 'success', stream: false, latencyMs: 52, attempts: 1 });
    recorder.usage(keyId, model, USAGE);
  }
  return Number(process.hrtime.bigint() - start) / requests;
};
for (const recorder of recorders) nsPerRequest(recorder); // warm-up
const figures = positionals.map(() => [] as number[]);
for (let round = 0; round < Number(values.rounds); round++)
  for (const [index, recorder] of recorders.entries()) figures[index].push(nsPerRequest(recorder));
console.log(`median ns per request (attempt + request + usage) over ${values.rounds} rounds of ${requests}:`);
for (const [index, ref] of positionals.entries())
  console.log(`  ${ref.padEnd(12)} ${Math.round(median(figures[index]))}`);
