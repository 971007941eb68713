import type { Candidate, Strategy } from './strategy.js';

/** Picks after which ids absent from every call since the previous prune are forgotten. */
const PRUNE_EVERY = 1024;

interface Cursor {
  current: number;
  seenAt: number;
}

/**
 * Smooth weighted round robin (nginx): each pick adds every candidate's weight to its running total,
 * takes the largest (first on ties) and subtracts the sum of weights from it. Weights 5,1,1 give
 * a a b a c a a. State is kept per candidate id, so candidates may come and go between calls.
 */
export function createRoundRobinStrategy(): Strategy {
  const cursors = new Map<string, Cursor>();
  let picks = 0;

  function cursorOf(id: string): Cursor {
    let cursor = cursors.get(id);
    if (cursor === undefined) {
      cursor = { current: 0, seenAt: picks };
      cursors.set(id, cursor);
    }
    return cursor;
  }

  function forgetUnseen(): void {
    for (const [id, cursor] of cursors) {
      if (picks - cursor.seenAt >= PRUNE_EVERY) cursors.delete(id);
    }
  }

  return {
    name: 'round-robin',
    pick<C extends Candidate>(candidates: readonly C[]): C {
      picks++;
      if (picks % PRUNE_EVERY === 0) forgetUnseen();
      let total = 0;
      let best = candidates[0];
      let bestCursor: Cursor | undefined;
      for (const c of candidates) {
        const cursor = cursorOf(c.id);
        cursor.seenAt = picks;
        cursor.current += c.weight;
        total += c.weight;
        if (bestCursor === undefined || cursor.current > bestCursor.current) {
          best = c;
          bestCursor = cursor;
        }
      }
      if (bestCursor !== undefined) bestCursor.current -= total;
      return best;
    },
  };
}
