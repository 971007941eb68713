/**
 * The rest of an iteration whose first result was already read, as one iterable (closing the iterator if the reader
 * stops).
 */
export async function* resumeAfter<T>(
  first: IteratorResult<T>,
  iterator: AsyncIterator<T>,
): AsyncGenerator<T, void, undefined> {
  try {
    for (let next = first; !next.done; next = await iterator.next()) yield next.value;
  } finally {
    await iterator.return?.();
  }
}
