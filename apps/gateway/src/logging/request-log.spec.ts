import { shouldLog } from './request-log.js';

describe('shouldLog', () => {
  const served = { outcome: 'success', attempts: 1, degraded: undefined } as const;
  const failedOver = { outcome: 'success', attempts: 2, degraded: undefined } as const;
  const degraded = { outcome: 'success', attempts: 1, degraded: 'cache' } as const;
  const failed = { outcome: 'error', attempts: 1, degraded: undefined } as const;
  const unserved = { outcome: 'error', attempts: 0, degraded: undefined } as const;

  it.each([
    ['all', served, true],
    ['all', failed, true],
    ['failures', served, false],
    ['failures', failedOver, true],
    ['failures', degraded, true],
    ['failures', failed, true],
    ['failures', unserved, true],
    ['off', failed, false],
    ['off', failedOver, false],
  ] as const)('%s: %o -> %s', (mode, record, expected) => {
    expect(shouldLog(record, mode)).toBe(expected);
  });
});
