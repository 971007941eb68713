/**
 * Test fixture: `items` (an array or a sync generator, whose `finally` runs when the reader stops early) as the async
 * iterable a transport body is; each item is awaited, as a body delivers it after a read.
 */
export async function* asyncOf<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

/** Test fixture: `text` as a one-chunk UTF-8 response body. */
export function bytesOf(text: string): AsyncGenerator<Uint8Array> {
  return asyncOf([new TextEncoder().encode(text)]);
}
