import { createHash, randomBytes } from 'node:crypto';

/** Prefix of generated client tokens (recognisable in a secret scanner, and in a leaked log line). */
export const CLIENT_TOKEN_PREFIX = 'gwc-';

/** A new client token: 32 random bytes, base64url. Shown once, at creation or rotation; only its hash is kept. */
export function generateClientToken(): string {
  return `${CLIENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 of a token, hex: what the gateway stores and looks tokens up by. */
export function hashClientToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a listing shows of a token: its last 4 characters (`gwc-…abcd`), as keys are masked. */
export function tokenHint(token: string): string {
  return `${CLIENT_TOKEN_PREFIX}…${token.slice(-4)}`;
}
