import type { Observable, Subscription } from 'rxjs';
import { ChunkChannel } from './chunk-channel.js';

/** Reads an Observable as an async iterable (subscribed on first use, unsubscribed when the reader stops). */
export function observableToIterable<T>(source: Observable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      // unsubscribed only when the reader returns, after `subscribe` has answered
      const channel = new ChunkChannel<T>(Infinity, () => subscription.unsubscribe());
      const subscription: Subscription = source.subscribe({
        next: (value) => {
          channel.push(value).catch((error: unknown) => channel.fail(error));
        },
        error: (error: unknown) => channel.fail(error),
        complete: () => channel.close(),
      });
      return channel;
    },
  };
}
