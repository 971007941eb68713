import { Injectable } from '@nestjs/common';
import { BearerTokenGuard } from '../auth/bearer-token.guard.js';
import { MetricsSettings } from './metrics-settings.js';

/** `/metrics` auth: open unless GATEWAY_METRICS_TOKEN is set, then that bearer token. */
@Injectable()
export class MetricsTokenGuard extends BearerTokenGuard {
  constructor(settings: MetricsSettings) {
    super(
      settings.token ? [settings.token] : [],
      'open',
      'Invalid or missing metrics token: send Authorization: Bearer <GATEWAY_METRICS_TOKEN>',
    );
  }
}
