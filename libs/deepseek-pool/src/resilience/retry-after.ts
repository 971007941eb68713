/** A non-negative decimal number, as `retry-after-ms` and delay-seconds `retry-after` carry. */
const DECIMAL = /^\d+(\.\d+)?$/;

/** The GMT forms of HTTP-date (IMF-fixdate and RFC 850), e.g. "Wed, 21 Oct 2015 07:28:00 GMT". */
const HTTP_DATE = /^[A-Za-z]{3,9}, \d{2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * How long the upstream asked us to wait, in ms: `retry-after-ms`, else `retry-after` as seconds or an
 * HTTP date relative to `nowMs`. Missing, negative, unparseable or non-finite values (a 400-digit number) give
 * undefined.
 * The pool caps what it keeps (`cooldown.maxRetryAfterMs`).
 * Header names must be lower-case.
 */
export function parseRetryAfterMs(headers: Record<string, string | undefined>, nowMs: number): number | undefined {
  return parseDecimal(headers['retry-after-ms']) ?? parseRetryAfter(headers['retry-after'], nowMs);
}

function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const seconds = parseDecimal(value);
  if (seconds !== undefined) return finite(seconds * 1000);
  const trimmed = value?.trim() ?? '';
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const delayMs = Date.parse(trimmed) - nowMs;
  return delayMs >= 0 ? delayMs : undefined;
}

function parseDecimal(value: string | undefined): number | undefined {
  const trimmed = value?.trim() ?? '';
  return DECIMAL.test(trimmed) ? finite(Number(trimmed)) : undefined;
}

function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/**
 * An upstream Retry-After hint within bounds: at most `maxMs`, and nothing for a value that is not a finite number >=
 * 0.
 */
export function cappedHint(hintMs: number | undefined, maxMs: number): number | undefined {
  return hintMs !== undefined && Number.isFinite(hintMs) && hintMs >= 0 ? Math.min(hintMs, maxMs) : undefined;
}
