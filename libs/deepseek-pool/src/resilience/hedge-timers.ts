import type { Clock } from '../clock.js';
import type { LatencyClass } from './answer-times.js';

/** A hedge delay not passed yet: `cancel` stops it. Listed by the time it is next checked. */
export class PendingHedge {
  /** When it is next checked (the delay may have changed by then), clock ms. */
  checkAtMs = 0;
  prev: PendingHedge | undefined = undefined;
  next: PendingHedge | undefined = undefined;
  listed = false;
  cancelled = false;

  constructor(
    private readonly timers: HedgeTimers,
    readonly latencyClass: LatencyClass,
    /** When the attempt it would hedge started. */
    readonly fromMs: number,
    readonly onDue: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
    if (this.listed) this.timers.unlist(this);
  }
}

/**
 * The pool's pending hedge delays under one Node timer, set for the earliest: a timer per call cost its `Timeout`, the
 * timer's ref counting and four closures, about 0.2 µs more per call over the stub on Node 24 (bench/FINDINGS.md,
 * finding 1). Calls start in time order and most share a delay, so a new wait goes at the end of the list and an
 * answered call's wait is unlinked: constant time either way.
 *
 * `untilCheckMs` says, when a wait's check time comes, how long until it is checked again (> 0), or that it is due
 * (<= 0). A due wait is called back once the rest of that event-loop turn has run (`setImmediate`): Node runs timers
 * before it reads the sockets, and an answer already there must land and cancel the hedge first.
 */
export class HedgeTimers {
  private first: PendingHedge | undefined = undefined;
  private last: PendingHedge | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the Node timer fires; Infinity with none set. */
  private timerAtMs = Infinity;
  /** Due, waiting for the rest of the event-loop turn. */
  private due: PendingHedge[] = [];
  private turn: ReturnType<typeof setImmediate> | undefined = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly untilCheckMs: (pending: PendingHedge, nowMs: number) => number,
  ) {}

  /** A wait for the hedge of an attempt started at `fromMs` (now); `onDue` at once when it is due already. */
  start(latencyClass: LatencyClass, fromMs: number, onDue: () => void): PendingHedge {
    const pending = new PendingHedge(this, latencyClass, fromMs, onDue);
    const ms = this.untilCheckMs(pending, fromMs);
    if (ms <= 0) onDue();
    else {
      this.list(pending, fromMs + ms);
      if (pending.checkAtMs < this.timerAtMs) this.setTimer(pending.checkAtMs, fromMs);
    }
    return pending;
  }

  /** Takes `pending` off the list (cancelled). */
  unlist(pending: PendingHedge): void {
    const { prev, next } = pending;
    if (prev === undefined) this.first = next;
    else prev.next = next;
    if (next === undefined) this.last = prev;
    else next.prev = prev;
    pending.prev = undefined;
    pending.next = undefined;
    pending.listed = false;
  }

  private list(pending: PendingHedge, checkAtMs: number): void {
    pending.checkAtMs = checkAtMs;
    let before = this.last;
    while (before !== undefined && before.checkAtMs > checkAtMs) before = before.prev;
    const after = before === undefined ? this.first : before.next;
    pending.prev = before;
    pending.next = after;
    if (before === undefined) this.first = pending;
    else before.next = pending;
    if (after === undefined) this.last = pending;
    else after.prev = pending;
    pending.listed = true;
  }

  /**
   * Sets the Node timer for `atMs`. Unref'd, as the attempt's phase timer (AttemptControl): the primary's exchange
   * keeps the process alive. A wait cancelled before its time leaves the timer as it is: it fires, finds nothing due,
   * and is set again for the first wait still listed.
   */
  private setTimer(atMs: number, nowMs: number): void {
    clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(this.fire, Math.max(0, atMs - nowMs)).unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    const nowMs = this.clock.now();
    for (let pending = this.first; pending !== undefined && pending.checkAtMs <= nowMs; pending = this.first) {
      this.unlist(pending);
      const ms = this.untilCheckMs(pending, nowMs);
      if (ms > 0) this.list(pending, nowMs + ms);
      else this.due.push(pending);
    }
    if (this.first !== undefined) this.setTimer(this.first.checkAtMs, nowMs);
    if (this.due.length > 0 && this.turn === undefined) this.turn = setImmediate(this.callDue);
  };

  private readonly callDue = (): void => {
    this.turn = undefined;
    const due = this.due;
    this.due = [];
    for (const pending of due) if (!pending.cancelled) pending.onDue();
  };
}
