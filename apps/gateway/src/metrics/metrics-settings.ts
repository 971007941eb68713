import { DEFAULT_PRICES, type PriceTable, parsePriceTable } from './cost/price-table.js';

/** Settings of `/metrics`: an optional bearer token and the price table behind the cost counter. */
export class MetricsSettings {
  constructor(
    /** GATEWAY_METRICS_TOKEN: when set, a scrape needs `Authorization: Bearer <token>`. */
    readonly token?: string,
    /** GATEWAY_PRICES (JSON, merged over DeepSeek's published prices). */
    readonly prices: PriceTable = DEFAULT_PRICES,
  ) {}

  /** Reads GATEWAY_METRICS_TOKEN and GATEWAY_PRICES; a bad price table throws a GatewayConfigError naming the field. */
  static fromEnv(env: NodeJS.ProcessEnv): MetricsSettings {
    const token = env.GATEWAY_METRICS_TOKEN?.trim() || undefined;
    const prices = env.GATEWAY_PRICES?.trim() ? parsePriceTable(env.GATEWAY_PRICES) : DEFAULT_PRICES;
    return new MetricsSettings(token, prices);
  }
}
