import { DAY_MS, WINDOW_BUCKETS, bucketOf, dayOf } from '../limits/usage-window.js';
import type { SyncRequest } from './redis-scripts.js';
import type { StoreKeys } from './store-keys.js';
import type { UsageIncrements } from './usage-sync.js';

/** How long Redis keeps the epoch marker that tells a replica Redis lost its data. */
const EPOCH_TTL_MS = 7 * DAY_MS;

/**
 * One sync tick's request: the counter increments to flush, the account lease sets to count, the cooldown and
 * disabled hashes, and the epoch (set to `epochCandidate` when Redis has none: its data was lost or never written).
 */
export function syncRequest(
  keys: StoreKeys,
  batch: ReadonlyArray<{ scope: string; increments: UsageIncrements }>,
  accounts: readonly string[],
  nowMs: number,
  epochCandidate: string,
): SyncRequest {
  return {
    usage: batch.map(({ scope, increments }) => ({ key: keys.usage(scope), increments })),
    leases: accounts.map((account) => keys.leases(account)),
    cooldowns: keys.cooldowns,
    disabled: keys.disabled,
    epoch: keys.epoch,
    oldestBucket: bucketOf(nowMs) - WINDOW_BUCKETS,
    day: dayOf(nowMs),
    usageTtlMs: DAY_MS,
    epochCandidate,
    epochTtlMs: EPOCH_TTL_MS,
  };
}
