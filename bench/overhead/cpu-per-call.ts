/**
 * CPU time per call of overhead variants (`process.cpuUsage` of this process, user + system, or user only with
 * `--user`), and per request of the mock, which runs in its own process (every thread's CPU time from
 * `/proc/<pid>/task/<tid>/schedstat`, Linux only). Less sensitive to other jobs than wall-clock latency, not immune: on
 * a loaded 2-core host an A/A pair still differs by 10-20%. Interleaved rounds; prints the median and minimum µs/call.
 *
 *   node bench/dist/overhead/cpu-per-call.js [--concurrency 1] [--calls 2000] [--rounds 9] [--user] \
 *     undici undici-aa transport pool-1key pool stub-direct pool-stub stub-wait-direct pool-stub-wait
 */
import { readFile, readdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { stopAll } from '../lib/children.js';
import { startMock } from '../lib/mock-service.js';
import { repoPath } from '../lib/paths.js';
import { VARIANTS, type Variant, type VariantName } from './variants.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: 'string', default: '1' },
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '9' },
    /** User time only: leaves out the kernel's loopback work (most of a send), which varies with the machine's load. */
    user: { type: 'boolean', default: false },
  },
});
const concurrency = Number(values.concurrency);
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const userOnly = values.user;
const names = (positionals.length > 0 ? positionals : ['undici', 'undici-aa', 'pool']) as VariantName[];

/** CPU time (ns) of every thread of process `pid` so far, from /proc/<pid>/task/<tid>/schedstat (Linux). */
async function processCpuNs(pid: number): Promise<number> {
  const tasks = await readdir(`/proc/${pid}/task`);
  const times = await Promise.all(
    tasks.map(async (tid) => Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')).split(' ')[0])),
  );
  return times.reduce((a, b) => a + b, 0);
}

let mockPid = 0;

async function round(variant: Variant): Promise<[number, number]> {
  let remaining = calls;
  const lane = async (): Promise<void> => {
    while (remaining > 0) {
      remaining -= 1;
      await variant.call();
    }
  };
  const mockBefore = await processCpuNs(mockPid);
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, lane));
  const used = process.cpuUsage(before);
  const mockUsed = (await processCpuNs(mockPid)) - mockBefore;
  return [(userOnly ? used.user : used.user + used.system) / calls, mockUsed / 1e3 / calls];
}

const scenarioFile = repoPath('libs/deepseek-mock/scenarios/fast.json');
const scenario = JSON.parse(await readFile(scenarioFile, 'utf8')) as MockScenario;
const mock = await startMock(scenarioFile);
mockPid = mock.child.process.pid ?? 0;
try {
  const keys = scenario.keys.map((key) => key.key);
  const variants = names.map((name) => VARIANTS[name]({ url: mock.url, keys }));
  const samples = variants.map((): number[] => []);
  const mockSamples = variants.map((): number[] => []);
  for (let r = -1; r < rounds; r++)
    for (let i = 0; i < variants.length; i++) {
      const index = (Math.max(r, 0) + i) % variants.length;
      const [us, mockUs] = await round(variants[index]);
      if (r >= 0) {
        samples[index].push(us);
        mockSamples[index].push(mockUs);
      }
    }
  await Promise.all(variants.map((variant) => variant.close()));
  console.log(
    `${userOnly ? 'User' : 'CPU'} µs per call, concurrency ${concurrency}, ${rounds} rounds x ${calls} calls (median / min), client then mock:`,
  );
  const stats = (values: number[]): string => {
    const sorted = values.sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return `${median.toFixed(1).padStart(7)} / ${sorted[0].toFixed(1).padStart(7)}`;
  };
  variants.forEach((variant, index) => {
    console.log(`  ${variant.name.padEnd(20)} ${stats(samples[index])}   ${stats(mockSamples[index])}`);
  });
} finally {
  await stopAll();
}
