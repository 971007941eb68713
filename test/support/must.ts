/**
 * Returns `value`, or throws when it is undefined or null: for tests that assert a value exists before reading it
 * (a failed lookup then fails the test with `what` in the message instead of a TypeError further down).
 */
export function must<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be defined`);
  return value;
}
