import { DEFAULT_PRICES } from './cost/price-table.js';
import { MetricsSettings } from './metrics-settings.js';

describe('MetricsSettings.fromEnv', () => {
  it('leaves /metrics open with the default prices when nothing is set', () => {
    const settings = MetricsSettings.fromEnv({ GATEWAY_METRICS_TOKEN: '  ' });
    expect(settings.token).toBeUndefined();
    expect(settings.prices).toBe(DEFAULT_PRICES);
  });

  it('reads the token and a price override', () => {
    const settings = MetricsSettings.fromEnv({
      GATEWAY_METRICS_TOKEN: 'scrape-me',
      GATEWAY_PRICES: '{"x":{"offPeak":{"cacheHit":1,"cacheMiss":2,"output":3}}}',
    });
    expect(settings.token).toBe('scrape-me');
    expect(settings.prices.x.offPeak.output).toBe(3);
  });

  it('fails on a bad price table', () => {
    expect(() => MetricsSettings.fromEnv({ GATEWAY_PRICES: '[1]' })).toThrow('GATEWAY_PRICES');
  });
});
