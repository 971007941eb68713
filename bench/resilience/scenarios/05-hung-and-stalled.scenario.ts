import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 5,
  id: 'hung-and-stalled',
  title: 'One key hangs (no answer), one sends 200 headers then nothing',
  expectation: 'time out each stuck attempt quickly, fail over, and stop routing to the stuck keys',
  cast: 'bench/scenarios/four-keys.json',
  ratePerS: 150,
  faulty: ['key-1', 'key-2'],
  fault: [
    { key: 'key-1', patch: { hang: true } },
    { key: 'key-2', patch: { headersThenStall: true } },
  ],
  recover: [
    { key: 'key-1', patch: { hang: null } },
    { key: 'key-2', patch: { headersThenStall: null } },
  ],
};
export default scenario;
