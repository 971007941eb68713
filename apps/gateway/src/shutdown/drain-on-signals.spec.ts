import { DEFAULT_DRAIN_TIMEOUT_MS, drainTimeoutMs } from './drain-on-signals.js';

describe('drainTimeoutMs (GATEWAY_DRAIN_TIMEOUT_MS)', () => {
  it.each([
    [undefined, DEFAULT_DRAIN_TIMEOUT_MS],
    ['', DEFAULT_DRAIN_TIMEOUT_MS],
    ['0', 0],
    [' 5000 ', 5000],
  ])('%p -> %p ms', (value, ms) => {
    expect(drainTimeoutMs(value === undefined ? {} : { GATEWAY_DRAIN_TIMEOUT_MS: value })).toBe(ms);
  });

  it.each(['-1', '2.5', '30s'])('fails at start naming the variable: %p', (value) => {
    expect(() => drainTimeoutMs({ GATEWAY_DRAIN_TIMEOUT_MS: value })).toThrow(`Invalid gateway configuration "GATEWAY_DRAIN_TIMEOUT_MS": must be an integer number of milliseconds >= 0 (got "${value}")`);
  });
});
