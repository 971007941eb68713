import type { DeepSeekDegradationOptions } from 'nestjs-deepseek-pool';
import type { GatewayConfig } from './gateway-config.js';

/** The gateway's own settings, injectable (the pool options go to DeepSeekPoolModule). */
export class GatewaySettings {
  constructor(
    readonly mode: GatewayConfig['mode'],
    readonly clientTokens: readonly string[],
    readonly adminToken: string | undefined,
    /** Degradation tiers (cache, lighter model, fallback) when the pool cannot serve; undefined turns them off. */
    readonly degradation: DeepSeekDegradationOptions | undefined,
  ) {}

  static from(config: GatewayConfig): GatewaySettings {
    return new GatewaySettings(config.mode, config.clientTokens, config.adminToken, config.degradation);
  }
}
