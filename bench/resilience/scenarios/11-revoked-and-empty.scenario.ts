import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 11,
  id: 'revoked-and-empty',
  title: 'A key is revoked (401) and another account runs empty (402) among healthy ones; neither comes back',
  expectation: 'take the dead keys out after their first answer and never pay an attempt on them again',
  cast: 'bench/scenarios/four-keys.json',
  ratePerS: 150,
  faulty: ['key-1', 'key-2'],
  fault: [
    { key: 'key-1', patch: { status: 401 } },
    { account: 'acct-2', balance: 0 },
  ],
};
export default scenario;
