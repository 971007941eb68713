/**
 * Time per `Redactor.redact` of several builds of the library side by side in one process: a request log line and an
 * SSE chunk with no secret in them (the common case: every log line and every streamed event is scanned), 9 known
 * secrets (8 keys and a client token, as in the throughput suite), interleaved rounds, median ns per call.
 *
 *   node bench/dist/overhead/cpu-builds.js --save before   # saves the library's build (see cpu-builds.ts)
 *   node bench/dist/overhead/redaction-builds.js [--calls 200000] [--rounds 21] before before current
 */
import { parseArgs } from 'node:util';
import type { Redactor } from 'nestjs-deepseek-pool';
import { median } from '../lib/median.js';
import { repoPath } from '../lib/paths.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { calls: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '21' } },
});
if (positionals.length === 0) throw new Error('name the builds: saved ones (cpu-builds.js --save), or current');

type RedactorClass = new (secrets: Iterable<string>) => Redactor;

async function load(name: string): Promise<RedactorClass> {
  const url = name === 'current' ? 'nestjs-deepseek-pool' : repoPath(`bench/.runs/builds/${name}/index.js`);
  return ((await import(url)) as { Redactor: RedactorClass }).Redactor;
}

const SECRETS = [
  ...Array.from({ length: 8 }, (_, i) => `sk-throughput-key-${i + 1}-0123456789abcdef0123456789`),
  'gateway-client-token-0123456789abcdef',
];
const TEXTS = {
  'log line':
    '[Nest] 12345  - 12/03/2026, 6:40:01 AM     LOG [Gateway] 3f2c9a1e-7d4b-4c2e-9a8f-1b2c3d4e5f60 ' +
    'POST /v1/chat/completions 200 deepseek-chat served by key-3 after 1 attempt(s) 51ms\n',
  'SSE chunk':
    'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1733210000,"model":"deepseek-chat",' +
    '"choices":[{"index":0,"delta":{"content":"Hello there, world"},"finish_reason":null}]}\n\n',
};

const calls = Number(values.calls);
const redactors = await Promise.all(positionals.map(async (name) => new (await load(name))(SECRETS)));
let sink = 0;
const nsPerCall = (redactor: Redactor, text: string): number => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink += redactor.redact(text).length;
  return Number(process.hrtime.bigint() - start) / calls;
};
for (const [label, text] of Object.entries(TEXTS)) {
  for (const redactor of redactors) nsPerCall(redactor, text); // warm-up
  const figures = positionals.map(() => [] as number[]);
  for (let round = 0; round < Number(values.rounds); round++)
    for (const [index, redactor] of redactors.entries()) figures[index].push(nsPerCall(redactor, text));
  console.log(`${label} (${text.length} characters), median ns per redact over ${values.rounds} rounds:`);
  for (const [index, name] of positionals.entries())
    console.log(`  ${name.padEnd(12)} ${Math.round(median(figures[index]))}`);
}
// The lengths are summed so that no call is optimized away; a redact that returned nothing would be a bug.
if (sink === 0) throw new Error('every redact returned an empty text');
