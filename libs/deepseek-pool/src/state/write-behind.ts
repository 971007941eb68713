/** What a pending write does in Redis: set a cooldown, clear one, or write a key's disabled state (or its absence). */
export type PendingOp = 'cooldown' | 'clear-cooldown' | 'state';

/**
 * Local writes on their way to Redis. Each is sent at once while online; made offline, or when its command fails,
 * it is kept (the latest op per id) until `flush` replays it. Every write is numbered, so a sync read sent before a
 * write never undoes it (`untouchedSince`).
 */
export class WriteBehind {
  /** Local writes Redis has not seen yet. */
  private readonly dirty = new Map<string, PendingOp>();
  /** Sequence number of the last local write per id. */
  private readonly lastWrite = new Map<string, number>();
  private writes = 0;

  constructor(
    private readonly send: (id: string, op: PendingOp) => Promise<void>,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** The number of the latest write. */
  get sequence(): number {
    return this.writes;
  }

  /** True for an id not written after write number `sequence`. */
  untouchedSince(sequence: number): (id: string) => boolean {
    return (id) => (this.lastWrite.get(id) ?? 0) <= sequence;
  }

  /** A local write: sent now when `online`, else kept for the next flush. */
  push(id: string, op: PendingOp, online: boolean): void {
    this.lastWrite.set(id, ++this.writes);
    if (!online) {
      this.dirty.set(id, op);
      return;
    }
    this.send(id, op).catch((error: unknown) => {
      this.dirty.set(id, op);
      this.onFailure(error);
    });
  }

  /** Keeps a write for the next flush without numbering it (state Redis lost, to be written again). */
  keep(id: string, op: PendingOp): void {
    this.dirty.set(id, op);
  }

  /** Sends pending writes until none is left; rejects when a send fails (the failed ones stay pending). */
  async flush(): Promise<void> {
    while (this.dirty.size > 0) await this.replay();
  }

  private async replay(): Promise<void> {
    const ops = [...this.dirty];
    this.dirty.clear();
    try {
      await Promise.all(ops.map(([id, op]) => this.send(id, op)));
    } catch (error) {
      for (const [id, op] of ops) if (!this.dirty.has(id)) this.dirty.set(id, op);
      throw error;
    }
  }
}
