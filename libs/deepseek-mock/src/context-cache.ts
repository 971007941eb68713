import { createHash } from 'node:crypto';

/** Prefix hashes of a conversation: entry k identifies messages [0..k] (role and text). */
export function prefixHashes(messages: ReadonlyArray<{ role: string; text: string }>): string[] {
  let previous = '';
  return messages.map((m) => {
    previous = createHash('sha1').update(previous).update(m.role).update('\0').update(m.text).digest('base64');
    return previous;
  });
}

/**
 * DeepSeek's context cache, per account: it remembers every message prefix it has served, and a new
 * request's longest remembered prefix (excluding its last message) is billed as cache hits.
 */
export class ContextCache {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  /**
   * Number of leading messages (at most all but the last) already seen; then remembers every prefix of this request.
   */
  lookupAndStore(hashes: readonly string[]): number {
    let cached = 0;
    while (cached < hashes.length - 1 && this.seen.has(hashes[cached])) cached++;
    if (this.seen.size + hashes.length > this.capacity) this.seen.clear();
    for (const h of hashes) this.seen.add(h);
    return cached;
  }
}
