import type { MockScenario } from 'nestjs-deepseek-pool-mock';
import { SCALED_POOL_OPTIONS, scenarios } from './support/harness.js';
import { driveChat } from './support/traffic.js';

const cast: MockScenario = {
  defaults: { latencyMs: 2 },
  keys: [
    { key: 'sk-down-0000000000001', name: 'down-1', status: 503 },
    { key: 'sk-down-0000000000002', name: 'down-2', status: 503 },
    { key: 'sk-down-0000000000003', name: 'down-3', status: 503 },
  ],
};
describe('debug', () => {
  const start = scenarios();
  it('x', async () => {
    const breaker = { ...SCALED_POOL_OPTIONS.breaker, resetTimeoutMs: 500 };
    const s = await start({ mock: cast, pool: { maxWaitForKeyMs: 800, breaker } });
    const r = await driveChat(s.pool, 60, 60);
    const t0 = s.timeline.entries[0]!.atMs;
    const lines = s.timeline.entries.map((e) => `${e.seq} +${e.atMs - t0} ${e.kind} ${e.keyId}`);
    process.stdout.write(lines.join('\n') + '\n');
    process.stdout.write(JSON.stringify(r.failures.slice(0,3).map((f) => (f as Error).message)) + '\n');
  });
});
