/** `items` as an async iterable (a transport body or a stream made of values already at hand). */
export function asyncIterableOf<T>(...items: readonly T[]): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = items.values();
      return { next: () => Promise.resolve(iterator.next()) };
    },
  };
}
