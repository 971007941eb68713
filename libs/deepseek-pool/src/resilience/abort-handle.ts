/** What an exchange reads of its abort side: an AbortSignal has it, and so has the pool's lighter AbortHandle. */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The reason of every abort given none: one AbortError for the process, not one per abort. Aborts are routine (each
 * hedge race aborts its loser), and an error built per abort costs its stack twice: captured when it is built, and
 * formatted when undici destroys the socket with it (Node's stream `destroy` reads `err.stack`). Formatted once here,
 * it is read from then on at no cost.
 */
const ABORTED = new DOMException('This operation was aborted', 'AbortError');

/**
 * The abort side of one attempt without an AbortController per attempt: a flag, a reason and the few listeners an
 * exchange adds, each called once. A real AbortSignal is built only when something asks for `signal` (a transport
 * other than the built-in one: `sendExchange`), and follows the handle from then on.
 */
export class AbortHandle implements AbortSource {
  private state: { reason: unknown } | undefined;
  private listeners: (() => void)[] | undefined;
  private controller: AbortController | undefined;

  get aborted(): boolean {
    return this.state !== undefined;
  }

  get reason(): unknown {
    return this.state?.reason;
  }

  /** An AbortSignal that aborts with this handle (built on first read, aborted already if the handle is). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.state !== undefined) this.controller.abort(this.state.reason);
    }
    return this.controller.signal;
  }

  /** Aborts once, with `reason` or else an AbortError as AbortController would (the same one each time). */
  abort(reason: unknown = ABORTED): void {
    if (this.state !== undefined) return;
    this.state = { reason };
    const listeners = this.listeners;
    this.listeners = undefined;
    this.controller?.abort(reason);
    if (listeners !== undefined) for (const listener of listeners) listener();
  }

  /** Calls `listener` once, at the abort (never if added after it, as with an AbortSignal). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.state !== undefined) return;
    // The first in a list of its size: an empty list grows by 17 slots at its first push.
    if (this.listeners === undefined) this.listeners = [listener];
    else this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.listeners;
    const index = listeners?.indexOf(listener) ?? -1;
    if (listeners === undefined || index < 0) return;
    if (listeners.length === 1) this.listeners = undefined;
    else listeners.splice(index, 1);
  }
}
