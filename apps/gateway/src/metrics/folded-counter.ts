import { Counter, type CounterConfiguration } from 'prom-client';

interface Cell<L extends string> {
  labels: Record<L, string>;
  delta: number;
  /** Whether the counter has the series yet (a first add of 0 creates it, as `inc(labels, 0)` does). */
  folded: boolean;
}

/** One level per label: the next level, or the cell of the last label's value. */
type Level<L extends string> = Map<string, Level<L> | Cell<L>>;

/**
 * A prom-client Counter fed off the request path: `add` sums increments in memory per label set, one map lookup per
 * label value (no label object, label string or hash per call, as prom-client's `inc` builds), and the sums are folded
 * into the counter whenever it is collected (a scrape, `registry.metrics()`). Series appear in the order they were
 * first added, as with `inc`. Memory: one cell per label set, as prom-client keeps one series per label set.
 */
export class FoldedCounter<L extends string> {
  private readonly root: Level<L> = new Map();
  private readonly cells: Array<Cell<L>> = [];

  constructor(
    private readonly labelNames: readonly L[],
    config: Omit<CounterConfiguration<L>, 'labelNames' | 'collect'>,
  ) {
    const { cells } = this;
    new Counter<L>({
      ...config,
      labelNames,
      collect() {
        for (const cell of cells) {
          if (cell.delta === 0 && cell.folded) continue;
          this.inc(cell.labels, cell.delta);
          cell.delta = 0;
          cell.folded = true;
        }
      },
    });
  }

  /**
   * Adds `delta` to the series of `values` (one per label name, in their order). Throws, as `inc` does, for a delta
   * that is negative or not a finite number, so that no bad value waits in a cell to fail a scrape.
   */
  add(values: readonly string[], delta = 1): void {
    if (!Number.isFinite(delta) || delta < 0) throw new TypeError(`A counter adds finite values >= 0, not ${delta}`);
    if (values.length !== this.labelNames.length)
      throw new TypeError(`Expected ${this.labelNames.length} label values, got ${values.length}`);
    let level = this.root;
    for (let i = 0; i < values.length - 1; i++) {
      let next = level.get(values[i]) as Level<L> | undefined;
      if (next === undefined) level.set(values[i], (next = new Map()));
      level = next;
    }
    const last = values[values.length - 1];
    let cell = level.get(last) as Cell<L> | undefined;
    if (cell === undefined) {
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]])) as Record<L, string>;
      cell = { labels, delta: 0, folded: false };
      level.set(last, cell);
      this.cells.push(cell);
    }
    cell.delta += delta;
  }
}
