import { GatewayConfigError } from '../../config/gateway-config-error.js';
import { DEFAULT_PRICES, parsePriceTable } from './price-table.js';

describe('parsePriceTable', () => {
  it('merges an override over the default table', () => {
    const table = parsePriceTable(
      '{"deepseek-v4-pro":{"offPeak":{"cacheHit":0.1,"cacheMiss":1,"output":2}},"local-llm":{"offPeak":{"cacheHit":0,"cacheMiss":0,"output":0}}}',
    );
    expect(table['deepseek-v4-pro']).toEqual({ offPeak: { cacheHit: 0.1, cacheMiss: 1, output: 2 } });
    expect(table['local-llm'].offPeak.output).toBe(0);
    expect(table['deepseek-v4-flash']).toBe(DEFAULT_PRICES['deepseek-v4-flash']);
  });

  it.each([
    ['not JSON', '{oops', 'GATEWAY_PRICES'],
    ['an array', '[]', 'GATEWAY_PRICES'],
    ['a model that is not an object', '{"m":3}', 'GATEWAY_PRICES.m'],
    ['missing offPeak', '{"m":{}}', 'GATEWAY_PRICES.m.offPeak'],
    [
      'a negative rate',
      '{"m":{"offPeak":{"cacheHit":0,"cacheMiss":-1,"output":1}}}',
      'GATEWAY_PRICES.m.offPeak.cacheMiss',
    ],
    [
      'a string rate in peak',
      '{"m":{"offPeak":{"cacheHit":0,"cacheMiss":0,"output":0},"peak":{"cacheHit":0,"cacheMiss":0,"output":"1"}}}',
      'GATEWAY_PRICES.m.peak.output',
    ],
  ])('rejects %s, naming the field', (_label, text, field) => {
    expect(() => parsePriceTable(text)).toThrow(GatewayConfigError);
    expect(() => parsePriceTable(text)).toThrow(`"${field}"`);
  });
});
