/** Hedges sent close together: a run of hedges each within `gapMs` of the one before. */
export interface HedgeBurst {
  hedges: number;
  /** Distinct keys of the first attempts they hedged. */
  keys: number;
  /** The first hedge's time and the last's, ms. */
  firstMs: number;
  lastMs: number;
}

/** Hedges this close to the one before them are in the same burst, ms. */
const BURST_GAP_MS = 20;
/** The window before a burst in which a connection opened counts as its possible cause, ms. */
const BEFORE_MS = 20;

/** The bursts of a pool's hedges, from the time (ms, in order) and first key of each. */
export function hedgeBursts(
  atMs: readonly number[],
  fromKeyIds: readonly string[],
  gapMs = BURST_GAP_MS,
): HedgeBurst[] {
  const bursts: Array<{ firstMs: number; lastMs: number; hedges: number; keys: Set<string> }> = [];
  atMs.forEach((at, i) => {
    const burst = bursts.at(-1);
    if (burst !== undefined && at - burst.lastMs <= gapMs) {
      burst.lastMs = at;
      burst.hedges += 1;
      burst.keys.add(fromKeyIds[i]);
    } else bursts.push({ firstMs: at, lastMs: at, hedges: 1, keys: new Set([fromKeyIds[i]]) });
  });
  return bursts.map(({ keys, ...burst }) => ({ ...burst, keys: keys.size }));
}

/**
 * One line on a pool's hedges: how they bunch, how many bursts followed a new connection (opened at `connectedAtMs`,
 * within BEFORE_MS before the burst's first hedge: the hedges' own connections come after it), and why due hedges were
 * not sent.
 */
export function describeHedges(
  atMs: readonly number[],
  fromKeyIds: readonly string[],
  skips: Readonly<Record<string, number>>,
  connectedAtMs: readonly number[],
): string {
  const bursts = hedgeBursts(atMs, fromKeyIds);
  const inLarge = bursts.filter((burst) => burst.hedges >= 5).reduce((sum, burst) => sum + burst.hedges, 0);
  const largest = bursts.reduce<HedgeBurst | undefined>(
    (max, b) => (max && max.hedges >= b.hedges ? max : b),
    undefined,
  );
  const withConnections = bursts.filter((burst) =>
    connectedAtMs.some((at) => at >= burst.firstMs - BEFORE_MS && at < burst.firstMs),
  ).length;
  const skipped = Object.entries(skips)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return (
    `${atMs.length} hedges in ${bursts.length} bursts (each hedge within ${BURST_GAP_MS} ms of the one before), ` +
    `${atMs.length ? ((inLarge * 100) / atMs.length).toFixed(0) : 0} % of them in bursts of 5 or more` +
    (largest
      ? `, the largest ${largest.hedges} hedges of calls on ${largest.keys} keys in ${(largest.lastMs - largest.firstMs).toFixed(1)} ms`
      : '') +
    `; ${withConnections} of the bursts within ${BEFORE_MS} ms after a connection opened` +
    `; due hedges not sent: ${skipped || 'none'}`
  );
}
