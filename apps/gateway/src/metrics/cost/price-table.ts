import { GatewayConfigError } from '../../config/gateway-config-error.js';

/** USD per million tokens. */
export interface TokenRates {
  cacheHit: number;
  cacheMiss: number;
  output: number;
}

/** A model's prices: off-peak, and peak when they differ (DeepSeek's peak hours, see `isPeakHour`). */
export interface ModelPrice {
  offPeak: TokenRates;
  peak?: TokenRates;
}

/** Prices by requested model id. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const FLASH: ModelPrice = {
  offPeak: { cacheHit: 0.003, cacheMiss: 0.15, output: 0.6 },
  peak: { cacheHit: 0.006, cacheMiss: 0.3, output: 1.2 },
};
const PRO: ModelPrice = {
  offPeak: { cacheHit: 0.022, cacheMiss: 0.66, output: 1.98 },
  peak: { cacheHit: 0.044, cacheMiss: 1.32, output: 3.96 },
};

/** DeepSeek's published prices (docs/deepseek-api.md "Usage and price"); the old ids are served by flash. */
export const DEFAULT_PRICES: PriceTable = {
  'deepseek-v4-flash': FLASH,
  'deepseek-v4-pro': PRO,
  'deepseek-chat': FLASH,
  'deepseek-reasoner': FLASH,
};

/**
 * Reads a price override (the GATEWAY_PRICES JSON object, `{ "<model>": { "offPeak": { "cacheHit", "cacheMiss",
 * "output" }, "peak"?: {...} } }`) and merges it over the defaults. Errors name the offending field.
 */
export function parsePriceTable(text: string, field = 'GATEWAY_PRICES'): PriceTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GatewayConfigError(field, `is not valid JSON: ${(error as Error).message}`);
  }
  const models = asObject(parsed, field);
  const table: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  for (const [model, value] of Object.entries(models)) {
    const price = asObject(value, `${field}.${model}`);
    const peak = price.peak === undefined ? {} : { peak: rates(price.peak, `${field}.${model}.peak`) };
    table[model] = { offPeak: rates(price.offPeak, `${field}.${model}.offPeak`), ...peak };
  }
  return table;
}

function rates(value: unknown, field: string): TokenRates {
  const object = asObject(value, field);
  const rate = (name: keyof TokenRates): number => {
    const number = object[name];
    if (typeof number !== 'number' || !Number.isFinite(number) || number < 0)
      throw new GatewayConfigError(`${field}.${name}`, 'must be a non-negative number (USD per million tokens)');
    return number;
  };
  return { cacheHit: rate('cacheHit'), cacheMiss: rate('cacheMiss'), output: rate('output') };
}

function asObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new GatewayConfigError(field, 'must be a JSON object');
  return value as Record<string, unknown>;
}
