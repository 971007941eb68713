import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 4,
  id: 'server-errors-then-recovery',
  title: 'One key answers 500 / 503 (half each), then recovers',
  expectation:
    'stop sending to the failing key after a few errors, retry elsewhere, and probe it back after it recovers',
  cast: 'bench/scenarios/four-keys.json',
  ratePerS: 150,
  faulty: ['key-1'],
  fault: [{ key: 'key-1', patch: { errorRates: { '500': 0.5, '503': 0.5 } } }],
  recover: [{ key: 'key-1', patch: { errorRates: null } }],
};
export default scenario;
