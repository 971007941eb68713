/** Hedges sent close together: a run of hedges each within `gapMs` of the one before. */
export interface HedgeBurst {
  hedges: number;
  /** Distinct keys of the first attempts they hedged. */
  keys: number;
  /** From the first hedge to the last, ms. */
  spanMs: number;
}

/** The bursts of a pool's hedges, from the time (ms, in order) and first key of each. */
export function hedgeBursts(atMs: readonly number[], fromKeyIds: readonly string[], gapMs = 20): HedgeBurst[] {
  const bursts: Array<{ first: number; last: number; hedges: number; keys: Set<string> }> = [];
  atMs.forEach((at, i) => {
    const burst = bursts.at(-1);
    if (burst !== undefined && at - burst.last <= gapMs) {
      burst.last = at;
      burst.hedges += 1;
      burst.keys.add(fromKeyIds[i]);
    } else bursts.push({ first: at, last: at, hedges: 1, keys: new Set([fromKeyIds[i]]) });
  });
  return bursts.map(({ first, last, hedges, keys }) => ({ hedges, keys: keys.size, spanMs: last - first }));
}

/** One line on a pool's hedges: how they bunch, and why due hedges were not sent. */
export function describeHedges(
  atMs: readonly number[],
  fromKeyIds: readonly string[],
  skips: Readonly<Record<string, number>>,
): string {
  const bursts = hedgeBursts(atMs, fromKeyIds);
  const inLarge = bursts.filter((burst) => burst.hedges >= 5).reduce((sum, burst) => sum + burst.hedges, 0);
  const largest = bursts.reduce<HedgeBurst | undefined>(
    (max, b) => (max && max.hedges >= b.hedges ? max : b),
    undefined,
  );
  const skipped = Object.entries(skips)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return (
    `${atMs.length} hedges in ${bursts.length} bursts (each hedge within 20 ms of the one before), ` +
    `${atMs.length ? ((inLarge * 100) / atMs.length).toFixed(0) : 0} % of them in bursts of 5 or more` +
    (largest
      ? `, the largest ${largest.hedges} hedges of calls on ${largest.keys} keys in ${largest.spanMs.toFixed(1)} ms`
      : '') +
    `; due hedges not sent: ${skipped || 'none'}`
  );
}
