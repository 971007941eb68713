import { type CanActivate, type ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { GatewaySettings } from '../config/gateway-settings.js';
import { TokenSet, bearerToken } from './token-match.js';

/** Admin auth: a separate token (GATEWAY_ADMIN_TOKEN); without one the admin API does not exist (404). */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly tokens: TokenSet;

  constructor(settings: GatewaySettings) {
    this.tokens = new TokenSet(settings.adminToken ? [settings.adminToken] : []);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.tokens.empty) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<Request>();
    if (this.tokens.has(bearerToken(request.headers.authorization))) return true;
    throw new UnauthorizedException('Invalid or missing admin token');
  }
}
