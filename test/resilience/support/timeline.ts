import type { DeepSeekPoolService, Transport, TransportRequest, TransportResponse } from 'nestjs-deepseek-pool';

/** One upstream request as the pool sent it: which key, when (epoch ms), in what order. */
export interface RequestEntry {
  kind: 'request';
  seq: number;
  atMs: number;
  keyId: string;
  path: string;
}

/** One pool event (breaker change, cooldown, disable), in the same order as the requests. */
export interface EventEntry {
  kind: 'breaker.open' | 'breaker.half-open' | 'breaker.close' | 'cooldown' | 'disabled';
  seq: number;
  atMs: number;
  /** Key id, or `account:<name>` for an account-wide cooldown. */
  keyId: string;
  /** Cooldowns: when the cooldown ends (epoch ms). */
  untilMs?: number;
  /** Disables: why. */
  reason?: string;
  /** Breaker opens: failed calls in the key's breaker window at that moment. */
  failures?: number;
}

export type TimelineEntry = RequestEntry | EventEntry;

/**
 * The ordered story of a scenario: every upstream request the pool sent and every breaker / cooldown / disable
 * event, with one sequence number across both. Specs assert on it "which keys got traffic and when they got it
 * back" without depending on how fast the machine is: orders, not durations.
 */
export class Timeline {
  readonly entries: TimelineEntry[] = [];
  private seq = 0;

  recordRequest(keyId: string, path: string): void {
    this.entries.push({ kind: 'request', seq: ++this.seq, atMs: Date.now(), keyId, path });
  }

  recordEvent(entry: Omit<EventEntry, 'seq' | 'atMs'>): void {
    this.entries.push({ ...entry, seq: ++this.seq, atMs: Date.now() });
  }

  /** Follows a pool's observer events. */
  follow(pool: DeepSeekPoolService): void {
    pool.events.on('breaker.open', ({ keyId }) => {
      const window = pool.snapshot().keys.find((k) => k.id === keyId);
      const failures = window === undefined ? undefined : Math.round(window.errorRate * window.windowCalls);
      this.recordEvent({ kind: 'breaker.open', keyId, ...(failures === undefined ? {} : { failures }) });
    });
    pool.events.on('breaker.half-open', ({ keyId }) => this.recordEvent({ kind: 'breaker.half-open', keyId }));
    pool.events.on('breaker.close', ({ keyId }) => this.recordEvent({ kind: 'breaker.close', keyId }));
    pool.events.on('key.disabled', ({ keyId, reason }) => this.recordEvent({ kind: 'disabled', keyId, reason }));
    pool.events.on('key.cooldown', ({ scope, untilMs }) =>
      this.recordEvent({ kind: 'cooldown', keyId: scope.startsWith('key:') ? scope.slice(4) : scope, untilMs }),
    );
  }

  /** Chat requests sent to `keyId` (optionally only those after sequence number `afterSeq`). */
  requestsTo(keyId: string, afterSeq = 0): RequestEntry[] {
    return this.chatRequests().filter((r) => r.keyId === keyId && r.seq > afterSeq);
  }

  chatRequests(): RequestEntry[] {
    return this.entries.filter((e): e is RequestEntry => e.kind === 'request' && e.path === '/chat/completions');
  }

  events(kind: EventEntry['kind'], keyId?: string): EventEntry[] {
    return this.entries.filter((e): e is EventEntry => e.kind === kind && (keyId === undefined || e.keyId === keyId));
  }

  /**
   * Requests sent to `keyId` while its breaker was open (after an `open`, before the next `half-open`): should be none.
   */
  requestsWhileOpen(keyId: string): RequestEntry[] {
    const found: RequestEntry[] = [];
    let open = false;
    for (const e of this.entries) {
      if (e.keyId !== keyId) continue;
      if (e.kind === 'breaker.open') open = true;
      else if (e.kind === 'breaker.half-open' || e.kind === 'breaker.close') open = false;
      else if (e.kind === 'request' && open && e.path === '/chat/completions') found.push(e);
    }
    return found;
  }

  /** Requests sent to `keyId` during each half-open period (half-open -> open or close), one count per period. */
  probesPerHalfOpen(keyId: string): number[] {
    const counts: number[] = [];
    let current: number | undefined;
    for (const e of this.entries) {
      if (e.keyId !== keyId) continue;
      if (e.kind === 'breaker.half-open') current = 0;
      else if ((e.kind === 'breaker.open' || e.kind === 'breaker.close') && current !== undefined) {
        counts.push(current);
        current = undefined;
      } else if (e.kind === 'request' && current !== undefined && e.path === '/chat/completions') current += 1;
    }
    if (current !== undefined) counts.push(current);
    return counts;
  }

  /**
   * Requests sent to `keyId` while a cooldown of the key was running: sent after the cooldown event (in order)
   * and before the cooldown's end (in time). Should be none.
   */
  requestsWhileCooling(keyId: string): RequestEntry[] {
    const found: RequestEntry[] = [];
    let untilMs = 0;
    for (const e of this.entries) {
      if (e.keyId !== keyId) continue;
      if (e.kind === 'cooldown') untilMs = Math.max(untilMs, e.untilMs ?? 0);
      else if (e.kind === 'request' && e.path === '/chat/completions' && e.atMs < untilMs) found.push(e);
    }
    return found;
  }
}

/**
 * A pass-through Transport that notes each request in a Timeline before handing it to the real one
 * (UndiciTransport): the HTTP stays real, the spec learns which key was called and in what order.
 */
export class RecordingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly timeline: Timeline,
    private readonly keyIdOf: (apiKey: string) => string,
  ) {}

  request(request: TransportRequest): Promise<TransportResponse> {
    const bearer = /^Bearer (.+)$/.exec(request.headers['authorization'] ?? '')?.[1] ?? '';
    const keyId = this.keyIdOf(bearer);
    this.timeline.recordRequest(keyId, request.path);
    return this.inner.request(request);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
