import type { KeyPatch } from 'nestjs-deepseek-pool-mock';

/** The key every fault hits (one of three). */
export const FAULTY_KEY = 'key-1';

/** One load condition of the tail bench: healthy keys, or one key made slow or stalled before the load starts. */
export interface TailCondition {
  id: 'healthy' | 'grey' | 'stall' | 'stream-healthy' | 'stream-slow';
  label: string;
  stream: boolean;
  /** Applied to FAULTY_KEY before the load; none: all keys healthy. */
  fault?: KeyPatch;
  /** The condition this one's p99 is compared with, and the ceiling of the ratio; or an absolute p99 ceiling. */
  against?: { id: TailCondition['id']; maxRatio: number };
  maxP99Ms?: number;
}

/** Upstream attempts per request allowed under a fault (hedges counted). */
export const MAX_ATTEMPTS_PER_REQUEST = 1.15;

export const CONDITIONS: readonly TailCondition[] = [
  { id: 'healthy', label: 'non-stream, 3 healthy keys (20 ms)', stream: false },
  {
    id: 'grey',
    label: 'non-stream, key-1 answers in 200 ms (grey failure)',
    stream: false,
    fault: { latencyMs: 200, jitterMs: 0 },
    against: { id: 'healthy', maxRatio: 2.5 },
  },
  {
    id: 'stall',
    label: 'non-stream, key-1 sends keep-alive blank lines for 20 s, then closes',
    stream: false,
    fault: { keepAlive: { intervalMs: 1_000, afterMs: 20_000, then: 'close' } },
    maxP99Ms: 3_000,
  },
  { id: 'stream-healthy', label: 'stream (time to first content), 3 healthy keys', stream: true },
  {
    id: 'stream-slow',
    label: 'stream (time to first content), key-1 answers in 200 ms',
    stream: true,
    fault: { latencyMs: 200, jitterMs: 0 },
    against: { id: 'stream-healthy', maxRatio: 2.5 },
  },
];
