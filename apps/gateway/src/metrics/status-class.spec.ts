import type { AttemptMetric } from 'nestjs-deepseek-pool';
import { statusClass } from './status-class.js';

describe('statusClass', () => {
  it.each<[AttemptMetric['outcome'], number | undefined, string]>([
    ['success', undefined, '2xx'],
    ['success', 200, '2xx'],
    ['http', 429, '429'],
    ['http', 401, '4xx'],
    ['http', 402, '4xx'],
    ['http', 500, '5xx'],
    ['http', 503, '5xx'],
    ['timeout', undefined, 'none'],
    ['timeout', 200, '2xx'],
    ['network', undefined, 'none'],
    ['empty-body', 200, '2xx'],
  ])('%s with status %s -> %s', (outcome, status, expected) => {
    expect(statusClass({ outcome, status })).toBe(expected);
  });
});
