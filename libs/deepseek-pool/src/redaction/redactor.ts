import { maskKey } from './mask.js';
import { escapeViews } from './escape-view.js';

/** Any run of this many consecutive characters of a secret is redacted, wherever it is cut. */
export const MIN_SECRET_RUN = 12;
/** Secrets shorter than this are not redacted (a 3-character "secret" would shred every text). */
export const MIN_SECRET_LENGTH = 6;
/** What replaces a part of a secret (a whole secret shows as its mask, `sk-...abcd`). */
export const REDACTED = '***';
/** Redaction passes over one text: a replacement next to leftover characters could form a new run (in theory). */
const MAX_PASSES = 3;
const BASE = 0x01000193;
const BASE_POW = power(BASE, MIN_SECRET_RUN - 1);
/** Bits of the gram filter: a scanned position whose hash has no bit set is skipped without a Map lookup. */
const FILTER_BITS = 1 << 16;

type Span = [from: number, to: number];

/**
 * Removes secrets from text that leaves the process: every run of {@link MIN_SECRET_RUN} or more consecutive
 * characters of a known secret, in the text as it stands and in its decoded views (JSON `\u00xx` escapes,
 * URL-encoding, escapes of escapes), however the secret was cut. Redact before truncating: `clip` does both.
 *
 * Secrets are indexed once as their 12-character substrings (rolling hash), so a scan is O(text length) whatever
 * the number of secrets; a 64 Kibit filter of those hashes rules out most positions of a text without a Map lookup.
 * Meant for error texts, logs and exports, not for successful bodies on the hot path.
 */
export class Redactor {
  private readonly grams = new Map<number, string[]>();
  /** One bit per `filterIndex` of a gram's hash: most positions of a text are ruled out by one bit test. */
  private readonly filter = new Uint32Array(FILTER_BITS / 32);
  private readonly short: string[] = [];
  private readonly known = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    this.add(...secrets);
  }

  /** Adds secrets (keys, bearer tokens); empty, too short or already known ones are ignored. Never removes one. */
  add(...secrets: Array<string | undefined>): void {
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_SECRET_LENGTH || this.known.has(secret)) continue;
      this.known.add(secret);
      if (secret.length < MIN_SECRET_RUN) {
        this.short.push(secret);
        continue;
      }
      for (let i = 0; i + MIN_SECRET_RUN <= secret.length; i++) {
        const gram = secret.slice(i, i + MIN_SECRET_RUN);
        const hash = hashOf(gram, 0);
        const bit = filterIndex(hash);
        this.filter[bit >>> 5] |= 1 << (bit & 31);
        const list = this.grams.get(hash);
        if (!list) this.grams.set(hash, [gram]);
        else if (!list.includes(gram)) list.push(gram);
      }
    }
  }

  /** `text` with every run of a secret replaced; the same string when it held none. */
  redact(text: string): string {
    if (this.known.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    let current = text;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const next = this.pass(current);
      if (next === current) return current;
      current = next;
    }
    return current;
  }

  /** Redacts, then cuts to `maxChars` (marking the cut with `...`): never the other way round. */
  clip(text: string, maxChars: number): string {
    const redacted = this.redact(text);
    return redacted.length > maxChars ? `${redacted.slice(0, maxChars)}...` : redacted;
  }

  /**
   * A copy of a JSON-like value with every string (object keys included) redacted, and cut to `maxChars`; the same
   * value when nothing changed.
   */
  redactValue<T>(value: T, maxChars = Infinity): T {
    if (typeof value === 'string') return this.clip(value, maxChars) as T;
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => this.redactValue(item, maxChars));
      return (items.some((item, i) => item !== value[i]) ? items : value) as T;
    }
    if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
    let changed = false as boolean; // set in the callback below, which TypeScript's narrowing does not see
    const entries = Object.entries(value).map(([key, item]) => {
      const entry = [this.clip(key, maxChars), this.redactValue(item, maxChars)] as const;
      changed ||= entry[0] !== key || entry[1] !== item;
      return entry;
    });
    return changed ? (Object.fromEntries(entries) as T) : value;
  }

  private pass(text: string): string {
    const spans = this.spansIn(text);
    for (const view of escapeViews(text)) {
      for (const [from, to] of this.spansIn(view.text)) spans.push([view.from[from], view.to[to - 1]]);
    }
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const [from, to] of merge(spans)) {
      const found = text.slice(from, to);
      out += text.slice(at, from) + (this.known.has(found) ? maskKey(found) : REDACTED);
      at = to;
    }
    return out + text.slice(at);
  }

  /** Ranges of `text` covered by a secret's 12-character runs or by a whole short secret. */
  private spansIn(text: string): Span[] {
    const spans: Span[] = [];
    for (const secret of this.short) {
      for (let i = text.indexOf(secret); i !== -1; i = text.indexOf(secret, i + 1)) spans.push([i, i + secret.length]);
    }
    if (this.grams.size === 0 || text.length < MIN_SECRET_RUN) return spans;
    const { filter } = this;
    let hash = hashOf(text, 0);
    for (let i = 0; ; i++) {
      const bit = filterIndex(hash);
      if ((filter[bit >>> 5] & (1 << (bit & 31))) !== 0 && startsWithAny(text, i, this.grams.get(hash))) {
        const last = spans.at(-1);
        if (last && last[1] >= i) last[1] = i + MIN_SECRET_RUN;
        else spans.push([i, i + MIN_SECRET_RUN]);
      }
      if (i + MIN_SECRET_RUN >= text.length) return spans;
      hash =
        (Math.imul(hash - Math.imul(text.charCodeAt(i), BASE_POW), BASE) + text.charCodeAt(i + MIN_SECRET_RUN)) | 0;
    }
  }
}

/**
 * True when one of `grams` starts at `at` of `text`. A plain loop, not `grams.some((gram) => ...)`: a closure over the
 * scan's index would give every iteration of the scan its own heap-allocated context (~40 bytes per character scanned).
 */
function startsWithAny(text: string, at: number, grams: readonly string[] | undefined): boolean {
  if (grams === undefined) return false;
  for (const gram of grams) if (text.startsWith(gram, at)) return true;
  return false;
}

/** Polynomial hash of the MIN_SECRET_RUN characters of `text` from `start`. */
function hashOf(text: string, start: number): number {
  let hash = 0;
  for (let i = start; i < start + MIN_SECRET_RUN; i++) hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Where a gram hash sits in the filter: its high and low halves folded. */
function filterIndex(hash: number): number {
  return (hash ^ (hash >>> 16)) & (FILTER_BITS - 1);
}

function power(base: number, exponent: number): number {
  let result = 1;
  for (let i = 0; i < exponent; i++) result = Math.imul(result, base);
  return result;
}

/** Sorted, overlapping or touching spans joined. */
function merge(spans: Span[]): Span[] {
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}
