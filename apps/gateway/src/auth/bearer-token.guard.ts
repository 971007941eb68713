import { type CanActivate, type ExecutionContext, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TokenSet, bearerToken } from './token-match.js';

/** What a guard with no token configured does: let everyone in, pretend the route does not exist, or refuse (401). */
export type WithoutToken = 'open' | 'hidden' | 'closed';

/**
 * `Authorization: Bearer <token>` against a fixed set, compared in constant time; 401 names which token is expected.
 */
export abstract class BearerTokenGuard implements CanActivate {
  private readonly tokens: TokenSet;

  protected constructor(
    tokens: readonly string[],
    private readonly withoutToken: WithoutToken,
    private readonly refusal: string,
  ) {
    this.tokens = new TokenSet(tokens);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.tokens.empty && this.withoutToken !== 'closed') {
      if (this.withoutToken === 'open') return true;
      throw new NotFoundException();
    }
    if (this.tokens.has(bearerToken(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization)))
      return true;
    throw new UnauthorizedException(this.refusal);
  }
}
