import { DailyBudget } from './daily-budget.js';

describe('DailyBudget', () => {
  const day = (d: number, hour = 0) => Date.UTC(2026, 0, d, hour);

  it('allows dailyRequests per key per UTC day, and resets at midnight UTC', () => {
    let now = day(1, 23);
    const budget = new DailyBudget({ requests: 2, tokens: Infinity }, { now: () => now });
    budget.spend('a', 10);
    budget.spend('a', 10);
    expect(budget.allows('a')).toBe(false);
    expect(budget.allows('b')).toBe(true);
    now = day(2, 0);
    expect(budget.allows('a')).toBe(true);
  });

  it("stops once the day's tokens are spent (the last request may overshoot by its own size)", () => {
    const budget = new DailyBudget({ requests: Infinity, tokens: 30 }, { now: () => day(1) });
    budget.spend('a', 20);
    expect(budget.allows('a')).toBe(true);
    budget.spend('a', 20);
    expect(budget.allows('a')).toBe(false);
  });
});
