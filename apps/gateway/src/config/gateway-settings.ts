import type { GatewayConfig } from './gateway-config.js';

/** The gateway's own settings, injectable (the pool options go to DeepSeekPoolModule). */
export class GatewaySettings {
  constructor(
    readonly mode: GatewayConfig['mode'],
    readonly clientTokens: readonly string[],
    readonly adminToken: string | undefined,
    readonly degrade: boolean,
  ) {}

  static from(config: GatewayConfig): GatewaySettings {
    return new GatewaySettings(config.mode, config.clientTokens, config.adminToken, config.degrade);
  }
}
