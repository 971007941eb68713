import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { TokenSet, bearerToken } from '../auth/token-match.js';
import { MetricsSettings } from './metrics-settings.js';

/** `/metrics` auth: open unless GATEWAY_METRICS_TOKEN is set, then `Authorization: Bearer <token>` (constant-time compare). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly tokens: TokenSet;

  constructor(settings: MetricsSettings) {
    this.tokens = new TokenSet(settings.token ? [settings.token] : []);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.tokens.empty) return true;
    if (this.tokens.has(bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization))) return true;
    throw new UnauthorizedException('Invalid or missing metrics token: send Authorization: Bearer <GATEWAY_METRICS_TOKEN>');
  }
}
