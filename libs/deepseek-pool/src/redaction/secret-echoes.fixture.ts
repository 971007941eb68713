import fc from 'fast-check';

/** Shared by the redaction property tests: secrets, the ways an upstream could echo one, and the leak check. */

/** A key or token as configured: `sk-` keys and plain tokens, 12 to 64 characters of the usual alphabets. */
export const secretArb = fc.oneof(
  fc.stringMatching(/^sk-[A-Za-z0-9]{9,61}$/),
  fc.stringMatching(/^[A-Za-z0-9_.~-]{12,64}$/),
);

const escapeAll = (text: string): string =>
  Array.from(text)
    .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');
const escapeSome = (text: string, every: number): string =>
  Array.from(text)
    .map((c, i) => (i % every === 0 ? escapeAll(c) : c))
    .join('');
const percentAll = (text: string): string =>
  Array.from(text)
    .map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');

/** How an upstream could echo (part of) a secret: as is, JSON-escaped (some or all characters), URL-encoded. */
export const encodingArb = fc.constantFrom<[string, (text: string) => string]>(
  ['plain', (t) => t],
  ['json-escaped', escapeAll],
  ['json-escaped-some', (t) => escapeSome(t, 3)],
  ['url-encoded', percentAll],
  ['url-component', encodeURIComponent],
  ['json-string', (t) => JSON.stringify(t).slice(1, -1)],
  ['double-escaped', (t) => JSON.stringify(escapeAll(t)).slice(1, -1)],
);

/** Where the echo sits: inside free text, a JSON error envelope, an SSE error event. */
export const containerArb = fc.constantFrom<[string, (echo: string, before: string, after: string) => string]>(
  ['text', (echo, before, after) => `${before}${echo}${after}`],
  ['json', (echo, before, after) => `{"error":{"message":"${before}${echo}${after}","type":"invalid_request_error"}}`],
  ['sse', (echo, before, after) => `data: {"error":{"message":"${before}${echo}${after}"}}\n\n`],
);

/** A piece of the secret an upstream could echo: the whole, cut at any point, or a near-copy. */
export function pieceArb(secret: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat({ max: secret.length - 12 }), fc.nat({ max: secret.length }))
    .map(([start, extra]) => secret.slice(start, Math.min(secret.length, start + 12 + extra)));
}

/** A whole echo: filler text, then a piece of the secret in some encoding and container. */
export const echoArb = secretArb.chain((secret) =>
  fc.record({
    secret: fc.constant(secret),
    piece: pieceArb(secret),
    encoding: encodingArb,
    container: containerArb,
    before: fc.string({ maxLength: 40 }),
    after: fc.string({ maxLength: 40 }),
  }),
);

/** The runs of MIN_SECRET_RUN characters of `secret` that `text` holds, as is or once its escapes are decoded. */
export function leakedRuns(text: string, secret: string, run = 12): string[] {
  const views = [text, decodeAll(text)];
  const leaks: string[] = [];
  for (let i = 0; i + run <= secret.length; i++) {
    const gram = secret.slice(i, i + run);
    if (views.some((view) => view.includes(gram))) leaks.push(gram);
  }
  return leaks;
}

/** `text` with JSON `\uXXXX` escapes and percent-encoding decoded, repeatedly. */
function decodeAll(text: string): string {
  let current = text;
  for (let i = 0; i < 3; i++) {
    const next = current
      .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\(["\\/])/g, '$1')
      .replace(/%([0-7][0-9a-fA-F])/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === current) break;
    current = next;
  }
  return current;
}
