import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time membership test for bearer tokens: tokens are compared as SHA-256 digests (equal length),
 * and every configured token is compared, so neither a match's position nor a token's length leaks by timing.
 */
export class TokenSet {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  get empty(): boolean {
    return this.digests.length === 0;
  }

  has(candidate: string | undefined): boolean {
    if (candidate === undefined) return false;
    const probe = digest(candidate);
    let found = false;
    for (const known of this.digests) found = timingSafeEqual(known, probe) || found;
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match?.[1];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
