import type { DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { GatewayConfig } from './gateway-config.js';

/** The @nestjs/config key under which the validated gateway configuration is held. */
export const GATEWAY_CONFIG_KEY = 'gateway';

/**
 * ConfigModule holding the gateway's configuration, already validated by `loadGatewayConfig` (a bad variable has
 * stopped the start naming it): `.env` files and process.env are not read again, so one validated value is the only
 * source. Global: the pool's and the degradation module's async factories inject ConfigService.
 */
export function gatewayConfigModule(config: GatewayConfig): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    skipProcessEnv: true,
    load: [() => ({ [GATEWAY_CONFIG_KEY]: config })],
  });
}

/** The gateway configuration held by ConfigModule. */
export function gatewayConfigOf(config: ConfigService): GatewayConfig {
  return config.getOrThrow<GatewayConfig>(GATEWAY_CONFIG_KEY);
}
