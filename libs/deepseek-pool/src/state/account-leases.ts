interface RemoteCount {
  /** Leases of the account in Redis, every replica's, when last read. */
  leases: number;
  atMs: number;
  /** This replica's held leases at that moment. */
  heldThen: number;
}

/**
 * This replica's side of the shared account slots: the lease ids it holds (ids are fungible: a release gives back
 * any one), the ones being acquired, and the last count read from Redis, from which the local view of every
 * replica's in-flight requests is estimated without a round trip.
 */
export class AccountLeases {
  private readonly held = new Map<string, string[]>();
  private readonly acquiring = new Map<string, Set<string>>();
  private readonly unshared = new Map<string, number>();
  private readonly remote = new Map<string, RemoteCount>();
  private sequence = 0;

  constructor(
    /** Lease ids start with it, so a replica can find its own leases in Redis. */
    readonly idPrefix: string,
    /** How long a count read from Redis is trusted for the local view. */
    private readonly freshMs: number,
  ) {}

  /** Accounts this replica has ever taken a shared slot of. */
  get accounts(): IterableIterator<string> {
    return this.acquiring.keys();
  }

  /** A new lease id, marked as being acquired. */
  begin(account: string): string {
    const id = `${this.idPrefix}${(++this.sequence).toString(36)}`;
    this.acquiringOf(account).add(id);
    return id;
  }

  /** Ends an acquire: the lease is held when `granted`. */
  end(account: string, id: string, granted: boolean): void {
    this.acquiringOf(account).delete(id);
    if (!granted) return;
    const ids = this.held.get(account);
    if (ids) ids.push(id);
    else this.held.set(account, [id]);
  }

  /** Counts a slot that is not shared in Redis (an account without a limit). */
  takeUnshared(account: string): void {
    this.unshared.set(account, (this.unshared.get(account) ?? 0) + 1);
  }

  /** Gives back one slot; returns the lease id to remove from Redis, if the slot was a shared one. */
  release(account: string): string | undefined {
    const unshared = this.unshared.get(account) ?? 0;
    if (unshared > 0) {
      this.unshared.set(account, unshared - 1);
      return undefined;
    }
    return this.held.get(account)?.pop();
  }

  /** Lease ids held and being acquired for `account`. */
  idsOf(account: string): { held: readonly string[]; acquiring: readonly string[] } {
    return { held: this.held.get(account) ?? [], acquiring: [...this.acquiringOf(account)] };
  }

  /** This replica's slots of `account`. */
  local(account: string): number {
    return (this.held.get(account)?.length ?? 0) + (this.unshared.get(account) ?? 0);
  }

  /** Records the account's lease count as Redis just reported it. */
  noteRemote(account: string, leases: number, nowMs: number): void {
    this.remote.set(account, { leases, atMs: nowMs, heldThen: this.held.get(account)?.length ?? 0 });
  }

  /**
   * Every replica's in-flight requests on `account`: the others' as last read (while fresh) plus this replica's now.
   */
  estimate(account: string, nowMs: number): number {
    const local = this.local(account);
    const remote = this.remote.get(account);
    if (remote === undefined || nowMs - remote.atMs > this.freshMs) return local;
    return Math.max(0, remote.leases - remote.heldThen) + local;
  }

  private acquiringOf(account: string): Set<string> {
    let ids = this.acquiring.get(account);
    if (ids === undefined) {
      ids = new Set();
      this.acquiring.set(account, ids);
    }
    return ids;
  }
}
