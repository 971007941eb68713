import { type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ClientsRuntime } from '../clients/clients-runtime.js';
import { attachClient } from '../clients/request-client.js';
import { GatewaySettings } from '../config/gateway-settings.js';
import { BearerTokenGuard } from './bearer-token.guard.js';
import { bearerToken } from './token-match.js';

/**
 * Client auth: a client token (GATEWAY_CLIENTS or the admin API: the request is then that client's, with its
 * limits), or one of GATEWAY_TOKENS (no limits). Open when neither is configured (demo mode, or explicitly allowed).
 */
@Injectable()
export class ClientTokenGuard extends BearerTokenGuard {
  constructor(
    settings: GatewaySettings,
    private readonly clients: ClientsRuntime,
  ) {
    super(
      settings.clientTokens,
      clients.configured ? 'closed' : 'open',
      'Invalid or missing gateway token: send Authorization: Bearer <token>',
    );
  }

  override canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    const client = token === undefined ? undefined : this.clients.directory.find(token);
    if (client === undefined) return super.canActivate(context);
    attachClient(request, client);
    return true;
  }
}
