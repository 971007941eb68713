import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 6,
  id: 'grey-failure',
  title: 'Grey failure: one key 10x slower (200 ms instead of 20 ms), no errors',
  expectation: 'send less to the slow key (latency-aware choice) so p99 stays near the healthy keys',
  cast: 'bench/scenarios/four-keys.json',
  ratePerS: 150,
  faulty: ['key-1'],
  fault: [{ key: 'key-1', patch: { latencyMs: 200, jitterMs: 50 } }],
  recover: [{ key: 'key-1', patch: { latencyMs: null, jitterMs: null } }],
};
export default scenario;
