import type { ResilienceScenario } from '../scenario.js';

const scenario: ResilienceScenario = {
  anchor: 10,
  id: 'unequal-accounts',
  title:
    'Unequal accounts: concurrency ceilings 2 / 2 / 16 (one key each, 100 ms answers), 20 requests in flight (200/s)',
  expectation: 'keep the small accounts under their ceiling (few 429s) and put the rest on the large one',
  cast: 'libs/deepseek-mock/scenarios/unequal-accounts.json',
  ratePerS: 200,
  faulty: [],
  fault: [],
};
export default scenario;
