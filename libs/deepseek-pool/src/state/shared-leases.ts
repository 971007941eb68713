import type { Clock } from '../clock.js';
import type { AccountLeases } from './account-leases.js';
import type { StateScripts } from './redis-scripts.js';
import type { StoreKeys } from './store-keys.js';

export interface SharedLeasesSettings {
  keys: StoreKeys;
  leaseTtlMs: number;
  clock: Clock;
  /** A Redis command failed: the store goes degraded. */
  onFailure: (error: unknown) => void;
}

/**
 * Account in-flight slots as leases in Redis (one sorted set per account). `scripts` is passed while Redis is
 * reachable and omitted while it is not: then slots are counted against the local view only, and reach Redis when
 * the leases are renewed after reconciliation.
 */
export class SharedLeases {
  constructor(
    readonly local: AccountLeases,
    private readonly settings: SharedLeasesSettings,
  ) {}

  /** Takes a slot in one atomic script (strict mode); counts it locally when Redis fails. */
  async acquire(account: string, limit: number, scripts: StateScripts): Promise<boolean> {
    const { keys, leaseTtlMs, clock } = this.settings;
    const id = this.local.begin(account);
    try {
      const result = await scripts.acquire(keys.leases(account), limit, id, leaseTtlMs);
      this.local.end(account, id, result.granted);
      this.local.noteRemote(account, result.leases, clock.now());
      return result.granted;
    } catch (error) {
      this.local.end(account, id, false);
      this.settings.onFailure(error);
      return this.acquireLocally(account, limit, undefined);
    }
  }

  /** Takes a slot against the local view; the lease reaches Redis in the background (or at reconciliation). */
  acquireLocally(account: string, limit: number, scripts: StateScripts | undefined): boolean {
    const { keys, leaseTtlMs, clock } = this.settings;
    if (this.local.estimate(account, clock.now()) >= limit) return false;
    const id = this.local.begin(account);
    this.local.end(account, id, true);
    scripts?.acquire(keys.leases(account), Number.MAX_SAFE_INTEGER, id, leaseTtlMs).then(
      (result) => this.local.noteRemote(account, result.leases, clock.now()),
      (error: unknown) => this.settings.onFailure(error),
    );
    return true;
  }

  /** Gives one slot back (in Redis too, when reachable). */
  release(account: string, scripts: StateScripts | undefined): void {
    const id = this.local.release(account);
    if (id === undefined || scripts === undefined) return;
    scripts.release(this.settings.keys.leases(account), id).then(
      (leases) => this.local.noteRemote(account, leases, this.settings.clock.now()),
      (error: unknown) => this.settings.onFailure(error),
    );
  }

  /** Extends (or re-creates) this replica's held leases and drops those it no longer holds. */
  async renew(scripts: StateScripts): Promise<void> {
    const { keys, leaseTtlMs, clock } = this.settings;
    await Promise.all(
      [...this.local.accounts].map(async (account) => {
        const { held, acquiring } = this.local.idsOf(account);
        const leases = await scripts.renew(keys.leases(account), this.local.idPrefix, leaseTtlMs, held, acquiring);
        this.local.noteRemote(account, leases, clock.now());
      }),
    );
  }

  /** Removes every lease of this replica from Redis (at close); failures are ignored. */
  async giveBack(scripts: StateScripts): Promise<void> {
    const { keys, leaseTtlMs } = this.settings;
    await Promise.allSettled(
      [...this.local.accounts].map((account) =>
        scripts.renew(keys.leases(account), this.local.idPrefix, leaseTtlMs, [], []),
      ),
    );
  }
}
