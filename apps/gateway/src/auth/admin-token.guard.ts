import { Injectable } from '@nestjs/common';
import { GatewaySettings } from '../config/gateway-settings.js';
import { BearerTokenGuard } from './bearer-token.guard.js';

/** Admin auth: a separate token (GATEWAY_ADMIN_TOKEN); without one the admin API does not exist (404). */
@Injectable()
export class AdminTokenGuard extends BearerTokenGuard {
  constructor(settings: GatewaySettings) {
    super(settings.adminToken ? [settings.adminToken] : [], 'hidden', 'Invalid or missing admin token');
  }
}
