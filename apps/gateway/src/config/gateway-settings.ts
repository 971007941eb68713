import type { DeepSeekDegradationOptions } from 'nestjs-deepseek-pool';
import type { GatewayConfig, LogFormat, RequestLogMode } from './gateway-config.js';

/** The gateway's own settings, injectable (the pool options go to DeepSeekPoolModule). */
export class GatewaySettings {
  constructor(
    readonly mode: GatewayConfig['mode'],
    readonly clientTokens: readonly string[],
    readonly adminToken: string | undefined,
    /** Degradation tiers (cache, lighter model, fallback) when the pool cannot serve; undefined turns them off. */
    readonly degradation: DeepSeekDegradationOptions | undefined,
    /** Which requests get a log line (`all`, `failures`: failed, failed over or degraded, `off`). */
    readonly requestLog: RequestLogMode,
    readonly logFormat: LogFormat,
  ) {}

  static from(config: GatewayConfig): GatewaySettings {
    return new GatewaySettings(
      config.mode,
      config.clientTokens,
      config.adminToken,
      config.degradation,
      config.requestLog,
      config.logFormat,
    );
  }
}
