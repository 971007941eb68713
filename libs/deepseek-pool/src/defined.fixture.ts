/** The value, or an Error naming what is missing: for tests, where a missing value is the failure to report. */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be defined`);
  return value;
}
