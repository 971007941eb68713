import {
  type ClientLimits,
  type ClientTotals,
  type Increments,
  type Refusal,
  type UsageFields,
  applyIncrements,
  correctionOf,
  incrementsAt,
  isStale,
  refusalOf,
  totalsOf,
} from './spend-window.js';

/** The size of one request: tokens, and cost in nano-USD. */
export interface RequestSize {
  tokens: number;
  nanoUsd: number;
}

/** What an admitted request counted, to be corrected once with its real usage. */
export interface Reservation {
  readonly client: string;
  readonly atMs: number;
  readonly estimate: RequestSize;
}

/** Counts each client's usage and decides admissions; shared by every replica when backed by Redis. */
export interface ClientLedger {
  /** Counts one request of `estimate` when the client is under every limit, else refuses it and counts nothing. */
  admit(client: string, limits: ClientLimits, estimate: RequestSize): Promise<Reservation | Refusal>;
  /** Replaces the estimate by the real size (once per reservation). */
  settle(reservation: Reservation, actual: RequestSize): void;
  /** The client's counts as this replica last saw them. */
  totals(client: string): ClientTotals;
  close(): Promise<void>;
}

export const isRefusal = (result: Reservation | Refusal): result is Refusal => 'limit' in result;

/** One client's counters in memory, with the same step as the Redis script: apply, prune, decide, reserve. */
export class MemoryLedger implements ClientLedger {
  private readonly clients = new Map<string, UsageFields>();

  constructor(private readonly now: () => number = Date.now) {}

  admit(client: string, limits: ClientLimits, estimate: RequestSize): Promise<Reservation | Refusal> {
    return Promise.resolve(this.admitNow(client, limits, estimate, this.now()));
  }

  /** `admit` at a given moment, synchronously (the Redis ledger's fallback uses it). */
  admitNow(client: string, limits: ClientLimits, estimate: RequestSize, atMs: number): Reservation | Refusal {
    const fields = this.fieldsOf(client, atMs);
    const refusal = refusalOf(limits, fields, atMs);
    if (refusal) return refusal;
    applyIncrements(fields, incrementsAt(atMs, 1, estimate.tokens, estimate.nanoUsd));
    return { client, atMs, estimate };
  }

  settle(reservation: Reservation, actual: RequestSize): void {
    this.apply(reservation.client, correctionOf(reservation.atMs, reservation.estimate, actual, this.now()));
  }

  apply(client: string, increments: Increments): void {
    applyIncrements(this.fieldsOf(client, this.now()), increments);
  }

  /** Starts `client` from `fields` (a copy), e.g. what Redis last held. */
  seed(client: string, fields: ReadonlyMap<string, number>): void {
    this.clients.set(client, new Map(fields));
  }

  has(client: string): boolean {
    return this.clients.has(client);
  }

  totals(client: string): ClientTotals {
    return totalsOf(this.clients.get(client) ?? new Map<string, number>(), this.now());
  }

  clear(): void {
    this.clients.clear();
  }

  close(): Promise<void> {
    this.clear();
    return Promise.resolve();
  }

  /** The client's fields, pruned of what no longer counts at `nowMs`. */
  private fieldsOf(client: string, nowMs: number): UsageFields {
    let fields = this.clients.get(client);
    if (fields === undefined) this.clients.set(client, (fields = new Map<string, number>()));
    for (const field of fields.keys()) if (isStale(field, nowMs)) fields.delete(field);
    return fields;
  }
}
