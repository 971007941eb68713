import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 3,
  id: 'rate-limit-burst',
  title: '429 burst on 2 of 4 keys (one without Retry-After, as DeepSeek; one with Retry-After: 1)',
  expectation: 'rotate away from the limited keys at once, no failed request, and take them back soon after the burst',
  cast: 'bench/scenarios/four-keys.json',
  ratePerS: 150,
  faulty: ['key-1', 'key-2'],
  fault: [
    { key: 'key-1', patch: { status: 429 } },
    { key: 'key-2', patch: { status: 429, retryAfterSeconds: 1 } },
  ],
  recover: [
    { key: 'key-1', patch: { status: null } },
    { key: 'key-2', patch: { status: null, retryAfterSeconds: null } },
  ],
};
export default scenario;
