import { Registry } from 'prom-client';
import { FoldedCounter } from './folded-counter.js';

const NAME = 'test_folded_total';

function folded(): { counter: FoldedCounter<'key' | 'kind'>; values: () => Promise<unknown> } {
  const registry = new Registry();
  const counter = new FoldedCounter(['key', 'kind'], { name: NAME, help: 'test', registers: [registry] });
  const values = async (): Promise<unknown> =>
    (await registry.getSingleMetric(NAME)?.get())?.values.map(({ labels, value }) => ({ labels, value }));
  return { counter, values };
}

describe('FoldedCounter', () => {
  it('sums the adds of each label set into the counter when it is collected, series in first-add order', async () => {
    const { counter, values } = folded();
    counter.add(['b', 'completion'], 30);
    counter.add(['a', 'completion']);
    counter.add(['b', 'completion'], 12);
    counter.add(['b', 'hit'], 0.5);
    expect(await values()).toEqual([
      { labels: { key: 'b', kind: 'completion' }, value: 42 },
      { labels: { key: 'a', kind: 'completion' }, value: 1 },
      { labels: { key: 'b', kind: 'hit' }, value: 0.5 },
    ]);
  });

  it('folds each add once: a second collection adds only what came after the first', async () => {
    const { counter, values } = folded();
    counter.add(['a', 'x'], 2);
    await values();
    counter.add(['a', 'x'], 3);
    expect(await values()).toEqual([{ labels: { key: 'a', kind: 'x' }, value: 5 }]);
    expect(await values()).toEqual([{ labels: { key: 'a', kind: 'x' }, value: 5 }]);
  });

  it('creates a series at 0 for a first add of 0, as inc(labels, 0) does', async () => {
    const { counter, values } = folded();
    counter.add(['a', 'x'], 0);
    expect(await values()).toEqual([{ labels: { key: 'a', kind: 'x' }, value: 0 }]);
  });

  it('keeps label sets apart whatever their values share', async () => {
    const { counter, values } = folded();
    counter.add(['a,b', 'c']);
    counter.add(['a', 'b,c']);
    expect(await values()).toEqual([
      { labels: { key: 'a,b', kind: 'c' }, value: 1 },
      { labels: { key: 'a', kind: 'b,c' }, value: 1 },
    ]);
  });

  it.each([
    ['a negative delta', ['a', 'x'], -1, /finite values >= 0, not -1/],
    ['NaN', ['a', 'x'], Number.NaN, /not NaN/],
    ['Infinity', ['a', 'x'], Number.POSITIVE_INFINITY, /not Infinity/],
    ['too few label values', ['a'], 1, /Expected 2 label values, got 1/],
  ])('refuses %s at the add, so no bad value waits to fail a scrape', async (_, labels, delta, message) => {
    const { counter, values } = folded();
    expect(() => counter.add(labels, delta)).toThrow(message);
    expect(await values()).toEqual([]);
  });
});
