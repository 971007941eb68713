import type { FastifyRequest } from 'fastify';
import { TokenSet, bearerToken } from '../auth/token-match.js';
import type { GatewaySettings } from '../config/gateway-settings.js';

/** Who may read the status page's data: anyone, holders of the admin token, or nobody (the page does not exist). */
export type StatusAccessMode = 'open' | 'token' | 'off';

/**
 * The status page follows the admin token: with GATEWAY_ADMIN_TOKEN set its data needs that token; without one
 * it is open in demo mode (simulated keys) and off with real keys, like the admin API.
 */
export function statusAccessMode(mode: GatewaySettings['mode'], adminTokenSet: boolean): StatusAccessMode {
  if (adminTokenSet) return 'token';
  return mode === 'demo' ? 'open' : 'off';
}

/** The status page's access rule and the admin token to check, injectable. */
export class StatusAccess {
  private constructor(
    readonly mode: StatusAccessMode,
    private readonly tokens: TokenSet,
  ) {}

  static from(settings: GatewaySettings): StatusAccess {
    const token = settings.adminToken ? [settings.adminToken] : [];
    return new StatusAccess(statusAccessMode(settings.mode, token.length > 0), new TokenSet(token));
  }

  /** True when the request may read the status data (`Authorization: Bearer <admin token>` in token mode). */
  allows(request: FastifyRequest): boolean {
    if (this.mode === 'off') return false;
    return this.mode === 'open' || this.tokens.has(bearerToken(request.headers.authorization));
  }
}
