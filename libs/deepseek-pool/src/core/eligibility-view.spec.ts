import { MemoryStateStore } from '../state/memory-state-store.js';
import { type EligibilityFacts, eligibilityNow, loopEligibility } from './eligibility-view.js';

describe('eligibility views', () => {
  let nowMs: number;
  const clock = { now: () => nowMs };
  const facts: EligibilityFacts = { store: new MemoryStateStore(), accountLimit: () => 4 };

  beforeEach(() => {
    nowMs = 1_000;
  });

  it.each([
    ['eligibilityNow()', () => eligibilityNow(clock, facts)],
    [
      'loopEligibility().refresh()',
      () => {
        const view = loopEligibility(clock, facts);
        return () => view.refresh();
      },
    ],
  ])('%s: each context is new and keeps its own time (a later read changes no earlier one)', (_name, make) => {
    const now = make();
    const first = now();
    nowMs = 2_500;
    const second = now();

    expect(second).not.toBe(first);
    expect(first.nowMs).toBe(1_000);
    expect(second.nowMs).toBe(2_500);
    expect(second.store).toBe(facts.store);
    expect(second.accountLimit('any')).toBe(4);
  });

  it('the loop view reads the clock on every access of nowMs: it cannot go stale', () => {
    const view = loopEligibility(clock, facts);
    nowMs = 7_000;
    expect(view.nowMs).toBe(7_000);
    expect(view.store).toBe(facts.store);
  });
});
