import { promqlMetricNames } from './promql-names.fixture.js';

describe('promqlMetricNames', () => {
  it.each([
    ['a bare metric', 'up', ['up']],
    ['a selector with a variable', 'deepseek_pool_key_state{key_id=~"$key_id"}', ['deepseek_pool_key_state']],
    [
      'a quantile over a histogram',
      'histogram_quantile(0.99, sum by (le, key_id) (rate(deepseek_pool_attempt_duration_seconds_bucket{key_id=~"$key_id"}[$__rate_interval])))',
      ['deepseek_pool_attempt_duration_seconds_bucket'],
    ],
    [
      'a ratio of two metrics with scalars',
      'sum(rate(a_total{x="by (y)"}[5m])) / sum without (z) (rate(b_total[1h] offset 5m)) * 3600 > 1e3',
      ['a_total', 'b_total'],
    ],
    ['a vector match', 'x on (key_id) group_left (model) y', ['x', 'y']],
    ['a Grafana label_values query', 'label_values(deepseek_pool_key_state, key_id)', ['deepseek_pool_key_state']],
    ['a comparison with bool', 'count(deepseek_pool_key_state <= bool 1)', ['deepseek_pool_key_state']],
  ])('%s', (_label, expr, expected) => {
    expect(promqlMetricNames(expr)).toEqual(expected);
  });
});
