/**
 * Decoded views of a text, for finding secrets an upstream echoed escaped: JSON string escapes (`\u0073`, `\"`,
 * `\\`, `\/`) and URL percent-encoding of ASCII (`%73`). Each view keeps, per character, the range of the original
 * text it came from, so a match in a view maps back to the original characters to replace.
 */
export interface EscapeView {
  text: string;
  /** Original index of the first character behind view character i. */
  from: Int32Array;
  /** Original index just past the last character behind view character i. */
  to: Int32Array;
}

/** Escapes of escapes (`\\u0073`, `%255C`) are decoded this many levels deep. */
const MAX_LEVELS = 3;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/' };

/** The decoded views of `text` (one per level that changed something), or none when it holds no escape. */
export function escapeViews(text: string): EscapeView[] {
  const views: EscapeView[] = [];
  let current: EscapeView | undefined;
  for (let level = 0; level < MAX_LEVELS; level++) {
    const source = current?.text ?? text;
    if (!mayHoldEscape(source)) break;
    const next = decodeOnce(source, current);
    if (next === undefined) break;
    views.push(next);
    current = next;
  }
  return views;
}

function mayHoldEscape(text: string): boolean {
  return text.includes('\\') || text.includes('%');
}

/** One decoding pass over `source` (itself a view of the original, or the original when `parent` is undefined). */
function decodeOnce(source: string, parent: EscapeView | undefined): EscapeView | undefined {
  const pieces: string[] = [];
  const from = new Int32Array(source.length);
  const to = new Int32Array(source.length);
  let length = 0;
  const map = (start: number, end: number): void => {
    from[length] = parent ? parent.from[start] : start;
    to[length] = parent ? parent.to[end - 1] : end;
    length++;
  };
  let changed = false;
  let at = 0;
  while (at < source.length) {
    const next = nextEscapeChar(source, at);
    for (let i = at; i < next; i++) map(i, i + 1);
    pieces.push(source.slice(at, next));
    if (next === source.length) break;
    const decoded = decodeAt(source, next);
    const size = decoded?.length ?? 1;
    map(next, next + size);
    pieces.push(decoded?.char ?? source[next]);
    changed ||= decoded !== undefined;
    at = next + size;
  }
  return changed ? { text: pieces.join(''), from: from.subarray(0, length), to: to.subarray(0, length) } : undefined;
}

/** Index of the next `\\` or `%` from `start`, or the text's length. */
function nextEscapeChar(text: string, start: number): number {
  const slash = text.indexOf('\\', start);
  const percent = text.indexOf('%', start);
  if (slash === -1) return percent === -1 ? text.length : percent;
  return percent === -1 ? slash : Math.min(slash, percent);
}

/** The character an escape at `i` stands for and the escape's length, or undefined when none starts there. */
function decodeAt(text: string, i: number): { char: string; length: number } | undefined {
  const c = text[i];
  if (c === '%') {
    const hex = text.slice(i + 1, i + 3);
    const code = /^[0-7][0-9A-Fa-f]$/.test(hex) ? Number.parseInt(hex, 16) : -1;
    return code >= 0x20 ? { char: String.fromCharCode(code), length: 3 } : undefined;
  }
  if (c !== '\\') return undefined;
  const next = text.at(i + 1);
  if (next !== undefined && SIMPLE_ESCAPES[next]) return { char: SIMPLE_ESCAPES[next], length: 2 };
  if (next !== 'u') return undefined;
  const hex = text.slice(i + 2, i + 6);
  return /^[0-9A-Fa-f]{4}$/.test(hex) ? { char: String.fromCharCode(Number.parseInt(hex, 16)), length: 6 } : undefined;
}
