import type { Observable, Subscription } from 'rxjs';
import { ChunkChannel } from './chunk-channel.js';

/** Reads an Observable as an async iterable (subscribed on first use, unsubscribed when the reader stops). */
export function observableToIterable<T>(source: Observable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const channel = new ChunkChannel<T>(Infinity, () => {
        subscription.unsubscribe();
      });
      const subscription: Subscription = source.subscribe({
        next: (value) => channel.offer(value),
        error: (error: unknown) => channel.fail(error),
        complete: () => channel.close(),
      });
      return channel;
    },
  };
}
