import { AccountLimits, accountShare } from './account-limits.js';

describe('AccountLimits', () => {
  const clock = {
    t: 0,
    now() {
      return this.t;
    },
  };
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

describe('accountShare', () => {
  it.each<[string, number, number, number | undefined, number]>([
    ['keeps the stated limit when the pool alone filled the account', 16, 17, 17, 16],
    ['keeps the stated limit for a late 429 of a burst sent before the first one came back', 16, 25, 25, 16],
    ['leaves the slots others hold: 40 in flight upstream, 10 of them ours', 39, 10, 40, 9],
    ['keeps one slot when others hold the whole account', 39, 1, 40, 1],
    ['gives up a slot the upstream still counts for a call that just ended here', 16, 16, 17, 15],
    ['without the current count, one less than the pool had in flight', 39, 12, undefined, 11],
    ['without the current count, never above the limit', 16, 30, undefined, 16],
    ['never below one slot', 1, 1, undefined, 1],
  ])('%s', (_name, limit, inFlightAtSend, current, expected) => {
    // Act
    const share = accountShare(limit, inFlightAtSend, current);

    // Assert
    expect(share).toBe(expected);
  });
});
