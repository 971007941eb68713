import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { GatewaySettings } from '../config/gateway-settings.js';
import { TokenSet, bearerToken } from './token-match.js';

/** Client auth: `Authorization: Bearer <one of GATEWAY_TOKENS>`, compared in constant time. Open when none is set. */
@Injectable()
export class ClientTokenGuard implements CanActivate {
  private readonly tokens: TokenSet;

  constructor(settings: GatewaySettings) {
    this.tokens = new TokenSet(settings.clientTokens);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.tokens.empty) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (this.tokens.has(bearerToken(request.headers.authorization))) return true;
    throw new UnauthorizedException('Invalid or missing gateway token: send Authorization: Bearer <token>');
  }
}
