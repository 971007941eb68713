/** Longest tail a mask shows, and the share of the key it may show at most (1 in 5 characters). */
const MAX_TAIL = 4;
const CHARS_PER_SHOWN = 5;

/**
 * Shows a secret as its `sk-` prefix and a short tail: `sk-...abcd`. The tail is at most 4 characters and at most a
 * fifth of the key (20+ characters: 4, a 9-character key: 1), so a short key is never mostly revealed.
 */
export function maskKey(apiKey: string): string {
  const prefix = apiKey.startsWith('sk-') ? 'sk-' : '';
  const shown = Math.min(MAX_TAIL, Math.floor(apiKey.length / CHARS_PER_SHOWN));
  return `${prefix}...${shown > 0 ? apiKey.slice(-shown) : ''}`;
}
