import type { ChatCompletionRequest } from '../chat.types.js';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';

/** 32-bit FNV-1a of a string, finished with murmur3's fmix32 so nearby strings land far apart. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

function fmix32(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Rendezvous (highest random weight) score of an account for an affinity key, both given as hashes. Pure. */
function rendezvousScore(affinityHash: number, accountHash: number): number {
  return fmix32(affinityHash ^ accountHash);
}

/**
 * Keeps in `slots` (in place, order kept) only the keys of the account that rendezvous hashing prefers for
 * `affinityHash` among the accounts present. The same affinity key always prefers the same account, and when that
 * account's keys are out, the same second choice: DeepSeek's per-account context cache keeps hitting.
 */
export function keepPreferredAccount(
  slots: Array<{ readonly account: string }>,
  affinityHash: number,
  accountHash: (account: string) => number,
): void {
  let best = -1;
  let bestAccount = '';
  for (const slot of slots) {
    const account = slot.account;
    if (account === bestAccount) continue;
    const score = rendezvousScore(affinityHash, accountHash(account));
    if (score > best || (score === best && account < bestAccount)) {
      best = score;
      bestAccount = account;
    }
  }
  let kept = 0;
  for (const slot of slots) if (slot.account === bestAccount) slots[kept++] = slot;
  slots.length = kept;
}

/**
 * How the pool finds a request's affinity key: `'user'` reads `user_id` (DeepSeek) or `user` (OpenAI), or a function.
 */
export type AffinityOption = 'user' | ((request: ChatCompletionRequest) => string | undefined);

/** The affinity key of a request from its `user_id` or `user` field. */
export function userAffinity(request: ChatCompletionRequest): string | undefined {
  const user = request.user_id ?? request.user;
  return typeof user === 'string' && user !== '' ? user : undefined;
}

/** Validates the `affinity` option; undefined when affinity is off. */
export function resolveAffinity(value: unknown): ((request: ChatCompletionRequest) => string | undefined) | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === 'user') return userAffinity;
  if (typeof value === 'function') return value as (request: ChatCompletionRequest) => string | undefined;
  throw new InvalidOptionsError('affinity', 'must be "user", a function (request) => string | undefined, or false');
}
