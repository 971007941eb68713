import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 7,
  id: 'keep-alive-trickle',
  title:
    "DeepSeek's keep-alive trickle: one key sends blank lines for 10 s and closes with no content; one answers a 200 of blank lines only",
  expectation: 'bound an attempt that only trickles keep-alives, treat an empty 200 as a failure, retry elsewhere',
  cast: 'bench/scenarios/four-keys.json',
  ratePerS: 150,
  faulty: ['key-1', 'key-2'],
  fault: [
    { key: 'key-1', patch: { keepAlive: { intervalMs: 100, afterMs: 10_000, then: 'close' } } },
    { key: 'key-2', patch: { blankBody: true } },
  ],
  recover: [
    { key: 'key-1', patch: { keepAlive: null } },
    { key: 'key-2', patch: { blankBody: null } },
  ],
};
export default scenario;
