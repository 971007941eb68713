/**
 * Flattens response headers as HTTP clients report them (string, array for a repeated header, sometimes a
 * number) to lower-case names and their first value, as TransportResponse carries them.
 */
export function firstHeaderValues(raw: Readonly<Record<string, unknown>>): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const name of Object.keys(raw)) {
    const value = headerText(raw[name]);
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
}

function headerText(value: unknown): string | undefined {
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
