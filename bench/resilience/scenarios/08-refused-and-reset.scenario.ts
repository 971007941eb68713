import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 8,
  id: 'refused-and-reset',
  title:
    'Connection refused (a fifth key on a dead port, all run long) and reset (one key resets every connection, then recovers)',
  expectation:
    "fail over on connection errors without burning the caller's time; attempts to the dead port are invisible to the mock",
  cast: 'bench/scenarios/four-keys.json',
  refusedKeys: ['refused'],
  ratePerS: 150,
  faulty: ['key-1'],
  fault: [{ key: 'key-1', patch: { reset: true } }],
  recover: [{ key: 'key-1', patch: { reset: null } }],
};
export default scenario;
