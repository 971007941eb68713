import type { Clock } from '../clock.js';
import { UpstreamError, errorMessage } from '../deepseek-pool.errors.js';
import { type FailureParts, redactFailure } from '../redaction/redact-failure.js';
import type { Redactor } from '../redaction/redactor.js';
import { AbortHandle } from './abort-handle.js';
import { type AttemptTrace, NOOP_ATTEMPT } from './call-trace.js';
import type { Outcome } from './outcome.js';

export type TimerPhase = 'first-byte' | 'first-content' | 'idle' | 'total';

/** Codes of upstream bodies the pool refused (they carry no network code but are the upstream's doing). */
const EMPTY_BODY = 'EMPTY_BODY';
const REFUSED_BODY_CODES: ReadonlySet<string> = new Set(['MALFORMED_BODY', 'RESPONSE_TOO_LARGE']);

/**
 * The abort wiring and the single re-armable timer of one upstream attempt. A timer phase that fires aborts
 * the exchange; the caller's signal and the caller's deadline abort it too, and `outcomeOf` tells them apart:
 * a key is only blamed for its own timeouts, never for the caller giving up. While the caller is not reading
 * (`pause`), the attempt's clocks stand still: they measure the upstream, not the caller.
 */
export class AttemptControl {
  /** Aborts the exchange; a real AbortSignal is built only for a transport that reads one. */
  readonly abortHandle = new AbortHandle();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the running timer was set to fire (the armed phase's end then). */
  private timerEndMs = 0;
  private armed: { phase: TimerPhase; ms: number; fromMs: number } | undefined;
  private fired: TimerPhase | 'caller-deadline' | undefined;
  private cancelled = false;
  private pausedAtMs: number | undefined;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last failure `failure` made (redacted). */
  private made: UpstreamError | undefined;
  private readonly onCallerAbort = (): void => this.abortHandle.abort();

  constructor(
    private readonly clock: Clock,
    private readonly callerSignal: AbortSignal | undefined,
    private attemptDeadlineMs: number,
    private readonly callerDeadlineMs: number,
    private readonly redactor: Redactor,
    /** The attempt's span: its trace headers go upstream, the exchange reports what it reads. */
    readonly trace: AttemptTrace = NOOP_ATTEMPT,
  ) {
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (callerSignal?.aborted) this.abortHandle.abort();
  }

  /**
   * (Re)starts the phase clock: `phase` must complete within `ms`, and never past the attempt or caller deadline.
   * A running timer that fires no later than the new end is kept (every chunk re-arms 'idle', the headers re-arm
   * 'first-byte' to 'idle'): when it fires it schedules what is left, so an attempt usually sets one timer.
   */
  arm(phase: TimerPhase, ms = Infinity): void {
    const now = this.clock.now();
    const armed = this.armed;
    if (armed === undefined) this.armed = { phase, ms, fromMs: now };
    else {
      armed.phase = phase;
      armed.ms = ms;
      armed.fromMs = now;
    }
    if (this.timer !== undefined && this.timerEndMs <= this.endOf({ ms, fromMs: now })) return;
    this.clearTimer();
    this.schedule(now);
  }

  /** Stops the timer and detaches from the caller's signal. Call once the attempt is settled. */
  dispose(): void {
    this.clearTimer();
    this.clearStallTimer();
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  /**
   * The caller stopped reading (back-pressure holds the upstream read): the phase timer and the attempt deadline
   * stop running against the key. A caller away for `maxStallMs` (or past its own deadline) ends the attempt as
   * the caller's fault: the exchange is cancelled and `onStall` runs.
   */
  pause(maxStallMs: number, onStall: () => void): void {
    if (this.pausedAtMs !== undefined || this.abortHandle.aborted) return;
    const now = this.clock.now();
    this.pausedAtMs = now;
    this.clearTimer();
    this.stallTimer = setTimeout(
      () => {
        this.stallTimer = undefined;
        this.cancel();
        onStall();
      },
      Math.max(0, Math.min(now + maxStallMs, this.callerDeadlineMs) - now),
    );
  }

  /** The caller reads again: the clocks resume where they stood, shifted by the pause. */
  resume(): void {
    if (this.pausedAtMs === undefined) return;
    const now = this.clock.now();
    const pausedMs = now - this.pausedAtMs;
    this.pausedAtMs = undefined;
    this.clearStallTimer();
    if (this.abortHandle.aborted) return;
    this.attemptDeadlineMs += pausedMs;
    if (this.armed === undefined) return;
    this.armed.fromMs += pausedMs;
    this.schedule(now);
  }

  /** Ends the exchange now because the caller stopped reading: never the key's fault. */
  cancel(): void {
    this.cancelled = true;
    this.abortHandle.abort();
  }

  /** Maps an error thrown while the attempt ran to the outcome it stands for. */
  outcomeOf(error: unknown): Outcome {
    if (this.cancelled || this.callerSignal?.aborted || this.fired === 'caller-deadline') return { kind: 'aborted' };
    if (this.fired !== undefined) return { kind: 'timeout', phase: this.fired };
    const code = (error as { code?: unknown } | null)?.code;
    if (code === EMPTY_BODY) return { kind: 'empty-body' };
    if (typeof code === 'string' && REFUSED_BODY_CODES.has(code))
      return { kind: 'protocol', detail: (error as Error).message };
    if (typeof code === 'string' && code !== '') return { kind: 'network', code };
    // Transports report every network failure with a code: an error without one was thrown by this process.
    return { kind: 'local', detail: errorMessage(error) };
  }

  /**
   * Anything the attempt threw, as the UpstreamError it stands for (this control tells timeouts and aborts apart),
   * with every secret redacted: the one way an upstream's text leaves an attempt. `context` prefixes the message of
   * an error that is not an UpstreamError yet. A failure of this process (outcome `local`: a bug, a memory guard)
   * is returned as thrown: it is never the key's. The failure this control made last is returned as it is when handed
   * back (the breaker's wrapper, the flight and its landing each pass it on): one redacted error per failure, not one
   * per hand-over.
   */
  failure(thrown: unknown, keyId: string, context?: string): unknown {
    if (thrown !== undefined && thrown === this.made) return thrown;
    if (thrown instanceof UpstreamError) return this.upstreamFailure(thrown);
    const outcome = this.outcomeOf(thrown);
    if (outcome.kind === 'local') return thrown;
    return this.upstreamFailure({ message: describe(thrown, context), outcome, keyId, body: undefined });
  }

  /**
   * The failure this attempt ends with, from what the upstream did (its parts, or an UpstreamError made elsewhere),
   * redacted: built once, and handed back as it is by `failure`.
   */
  upstreamFailure(failure: FailureParts): UpstreamError {
    const made = redactFailure(failure, this.redactor);
    this.made = made;
    return made;
  }

  /** True when the caller's own deadline (not the key) ended the attempt. */
  get callerDeadlinePassed(): boolean {
    return this.fired === 'caller-deadline';
  }

  /** When a phase armed `ms` from `fromMs` ends: its own end, the attempt's or the caller's deadline. */
  private endOf({ ms, fromMs }: { ms: number; fromMs: number }): number {
    return Math.min(fromMs + ms, this.attemptDeadlineMs, this.callerDeadlineMs);
  }

  private schedule(now: number): void {
    const armed = this.armed;
    if (armed === undefined) return;
    const end = this.endOf(armed);
    this.timerEndMs = end;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        // Re-armed since: the phase now ends later.
        if (this.endOf(armed) > end) {
          this.schedule(this.clock.now());
          return;
        }
        this.fired =
          this.callerDeadlineMs <= end ? 'caller-deadline' : end === this.attemptDeadlineMs ? 'total' : armed.phase;
        this.abortHandle.abort();
      },
      Math.max(0, end - now),
      // Unref'd: the exchange it guards keeps the process alive, not the timer. Node keeps the list of an unref'd
      // timer's duration when it empties, where it deletes a ref'd one's: an attempt at a time no longer creates and
      // drops a timer list per attempt (bench/FINDINGS.md, finding 1).
    ).unref();
  }

  private clearStallTimer(): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function describe(error: unknown, context: string | undefined): string {
  const message = errorMessage(error);
  return context === undefined ? message : `${context}: ${message}`;
}
