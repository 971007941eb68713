import type { ResilienceScenario } from '../scenario.js';

const KEYS = ['key-1', 'key-2', 'key-3', 'key-4'];

const scenario: ResilienceScenario = {
  anchor: 9,
  id: 'all-keys-degraded',
  title: 'All keys degraded: every key answers 503, then recovers',
  expectation: 'fail fast instead of hammering: upstream attempts <= 1.2x offered requests; come back when the keys do',
  cast: 'bench/scenarios/four-keys.json',
  ratePerS: 150,
  faulty: KEYS,
  fault: KEYS.map((key) => ({ key, patch: { status: 503 } })),
  recover: KEYS.map((key) => ({ key, patch: { status: null } })),
  maxAttemptsPerRequest: 1.2,
};
export default scenario;
