/** Header values as HTTP clients report them: a string, a repeated header as an array, sometimes a number. */
type RawHeaderValue = string | string[] | number | boolean | null | undefined;

/** Flattens response headers to lower-case names and their first value, as TransportResponse carries them. */
export function firstHeaderValues(raw: Readonly<Record<string, RawHeaderValue>>): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value[0] : String(value);
  }
  return headers;
}
