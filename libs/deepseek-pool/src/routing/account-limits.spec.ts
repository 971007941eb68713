import { AccountLimits } from './account-limits.js';

describe('AccountLimits', () => {
  const clock = { t: 0, now() { return this.t; } };
  const limits = () => new AccountLimits(new Map([['capped', 10]]), clock, 60_000);

  beforeEach(() => (clock.t = 0));

  it.each([
    ['an account without any limit', 'free', undefined, Infinity],
    ['a configured limit', 'capped', undefined, 10],
    ['a learned limit under the configured one', 'capped', 4, 4],
    ['a learned limit above the configured one', 'capped', 50, 10],
    ['a learned limit on an unconfigured account', 'free', 39, 39],
    ['a learned limit of 0, kept at 1 so the account can recover', 'free', 0, 1],
  ])('%s', (_case, account, learned, expected) => {
    const subject = limits();
    if (learned !== undefined) subject.learn(account, learned);
    expect(subject.limit(account)).toBe(expected);
  });

  it('lets a learned limit lapse after its time to live', () => {
    const subject = limits();
    subject.learn('capped', 3);
    clock.t = 59_999;
    expect(subject.limit('capped')).toBe(3);
    clock.t = 60_000;
    expect(subject.limit('capped')).toBe(10);
  });
});
