/**
 * What lands while a call's attempt step waits (its attempts' landings, the hedge delay passing), taken one at a
 * time in the order it came: one promise per wait, however many attempts are in the air.
 */
export class Landings<T extends object | symbol> {
  private readonly queue: T[] = [];
  private waiter: ((next: T) => void) | undefined;

  /** Adds one: the waiting `next` takes it, else it waits its turn. */
  readonly post = (item: T): void => {
    const waiter = this.waiter;
    if (waiter === undefined) this.queue.push(item);
    else {
      this.waiter = undefined;
      waiter(item);
    }
  };

  /** The oldest item not taken yet, or the next to come. One taker at a time. */
  next(): Promise<T> {
    const queued = this.queue.shift();
    return queued === undefined ? new Promise((resolve) => (this.waiter = resolve)) : Promise.resolve(queued);
  }
}
