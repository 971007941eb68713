import { num, signed } from '../lib/markdown.js';
import type { OverheadRun } from './overhead.bench.js';

/** One overhead target, with its limit and the measured figure as printed. */
export interface OverheadTarget {
  name: string;
  limit: string;
  measured: string;
  met: boolean;
}

/** Added p50 at concurrency 64, as a share of the direct call's p50 (the limit). */
const CONCURRENCY_64_LIMIT = 0.1;

/**
 * The targets of the non-streaming runs: added p50 and p99 at concurrency 1 (µs), and added p50 at concurrency 64 as
 * a share of the direct call's p50. Derived from the runs, so results written before a target existed get it too.
 */
export function overheadTargets(chat: readonly OverheadRun[]): OverheadTarget[] {
  const single = chat.find((run) => run.concurrency === 1);
  const busy = chat.find((run) => run.concurrency === 64);
  const targets: OverheadTarget[] = [];
  if (single) {
    const { p50, p99 } = single.added;
    targets.push(
      { name: 'added p50, concurrency 1', limit: '<= 20 µs', measured: `${num(p50)} µs`, met: p50 <= 20 },
      { name: 'added p99, concurrency 1', limit: '<= 100 µs', measured: `${num(p99)} µs`, met: p99 <= 100 },
    );
  }
  const direct = busy?.latencyUs.undici.p50;
  if (busy && direct !== undefined) {
    const share = busy.added.p50 / direct;
    targets.push({
      name: 'added p50, concurrency 64',
      limit: `<= ${num(CONCURRENCY_64_LIMIT * 100, 0)} % of direct`,
      measured: `${signed(busy.added.p50)} µs on ${num(direct)} (${signed(share * 100)} %)`,
      met: share <= CONCURRENCY_64_LIMIT,
    });
  }
  return targets;
}
