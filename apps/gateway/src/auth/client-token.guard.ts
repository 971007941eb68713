import { Injectable } from '@nestjs/common';
import { GatewaySettings } from '../config/gateway-settings.js';
import { BearerTokenGuard } from './bearer-token.guard.js';

/** Client auth: one of GATEWAY_TOKENS. Open when none is set (demo mode, or explicitly allowed). */
@Injectable()
export class ClientTokenGuard extends BearerTokenGuard {
  constructor(settings: GatewaySettings) {
    super(settings.clientTokens, 'open', 'Invalid or missing gateway token: send Authorization: Bearer <token>');
  }
}
