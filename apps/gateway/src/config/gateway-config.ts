import { readFileSync } from 'node:fs';
import type { DeepSeekDegradationOptions, DeepSeekPoolOptions, KeyOptions } from 'nestjs-deepseek-pool';
import { MetricsSettings } from '../metrics/metrics-settings.js';
import { redisUrlProblem } from '../replica-state/redis-url.js';
import { type ClientsConfig, type ClientsFileSection, loadClientsConfig } from '../clients/clients-config.js';
import { GatewayConfigError } from './gateway-config-error.js';

/** Where the pool's keys come from: the embedded mock (no keys, no network) or real upstreams. */
export type GatewayMode = 'demo' | 'upstream';

/** Which requests get a log line: every one, only those that failed, failed over or were degraded, or none. */
export const REQUEST_LOG_MODES = ['all', 'failures', 'off'] as const;
export type RequestLogMode = (typeof REQUEST_LOG_MODES)[number];

/** How log lines are written: readable text or one JSON object each. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Log lines are written at most this long after they are logged: one write per window instead of one per line. */
const DEFAULT_LOG_FLUSH_MS = 50;
/** A longer window would hold lines back from whoever tails the log for longer than a person notices. */
const MAX_LOG_FLUSH_MS = 1_000;

export interface GatewayConfig {
  mode: GatewayMode;
  host: string;
  port: number;
  /** Client tokens accepted as `Authorization: Bearer <token>`; empty means open (demo mode, or explicitly allowed). */
  clientTokens: string[];
  /** Token of the key admin API; undefined turns the admin API off. */
  adminToken: string | undefined;
  /** Largest accepted request body (a body-parser size string: "10mb", "512kb", bytes). */
  bodyLimit: string;
  /** A client must send its request headers within this (Node's `server.headersTimeout`). */
  headersTimeoutMs: number;
  /** A client must send its whole request, body included, within this (Node's `server.requestTimeout`). */
  requestTimeoutMs: number;
  requestLog: RequestLogMode;
  logFormat: LogFormat;
  /** Log lines written to stdout over this many ms go out in one write (0: one write per event-loop turn). */
  logFlushMs: number;
  /** Degradation tiers when the pool cannot answer (GATEWAY_DEGRADE=false turns them off). */
  degradation: DeepSeekDegradationOptions | undefined;
  /** REDIS_URL: pool state shared with the other replicas and the degradation cache on this Redis; unset: in memory. */
  redisUrl?: string;
  /** Client tokens with limits and budgets (GATEWAY_CLIENTS, REDIS_URL); absent: none. */
  clients?: ClientsConfig;
  /** `/metrics` token and price table (GATEWAY_METRICS_TOKEN, GATEWAY_PRICES); absent: no token, default prices. */
  metrics?: MetricsSettings;
  /** Pool options without keys in demo mode (the demo fills them from the mock's cast). */
  pool: Omit<DeepSeekPoolOptions, 'keys'> & { keys?: DeepSeekPoolOptions['keys'] };
}

/** The optional JSON file named by GATEWAY_CONFIG: pool options plus a `gateway` section; environment variables win. */
interface ConfigFile extends Partial<Omit<DeepSeekPoolOptions, 'keys'>> {
  keys?: Array<string | KeyOptions>;
  gateway?: ClientsFileSection & {
    host?: string;
    port?: number;
    clientTokens?: string[];
    adminToken?: string;
    bodyLimit?: string;
    headersTimeoutMs?: number;
    requestTimeoutMs?: number;
    degrade?: boolean;
    redisUrl?: string;
    allowAnonymous?: boolean;
    requestLog?: RequestLogMode;
    logFormat?: LogFormat;
    logFlushMs?: number;
  };
  /** Degradation options (tiers, cacheTtlMs, modelFallbacks, fallback, breaker); see DeepSeekDegradationModule. */
  degradation?: Omit<DeepSeekDegradationOptions, 'cache' | 'tenant' | 'metrics' | 'logger' | 'clock'>;
}

/**
 * Reads the configuration from environment variables and, when GATEWAY_CONFIG names one, a JSON file.
 * DEEPSEEK_API_KEYS unset (and no keys in the file) -> demo mode on the embedded mock.
 */
export function loadGatewayConfig(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): GatewayConfig {
  const file = env.GATEWAY_CONFIG ? readConfigFile(env.GATEWAY_CONFIG, readFile) : {};
  const { gateway = {}, degradation, ...fromFile } = file;
  const envKeys = nonEmpty(env.DEEPSEEK_API_KEYS);
  const keys = envKeys ?? fromFile.keys;
  const mode: GatewayMode = keys === undefined ? 'demo' : 'upstream';
  const clientTokens = list(env.GATEWAY_TOKENS) ?? gateway.clientTokens ?? [];
  const clients = loadClientsConfig(env, gateway, readFile);
  const allowAnonymous =
    flag(env.GATEWAY_ALLOW_ANONYMOUS, 'GATEWAY_ALLOW_ANONYMOUS') ?? gateway.allowAnonymous ?? false;
  if (mode === 'upstream' && clientTokens.length === 0 && clients.records === undefined && !allowAnonymous) {
    throw new GatewayConfigError(
      'GATEWAY_TOKENS',
      'is required with real keys, or GATEWAY_CLIENTS (or set GATEWAY_ALLOW_ANONYMOUS=true on a trusted network)',
    );
  }
  const baseUrl = nonEmpty(env.DEEPSEEK_BASE_URL) ?? fromFile.defaultBaseUrl;
  const headersTimeoutMs = positiveMs(
    nonEmpty(env.GATEWAY_HEADERS_TIMEOUT_MS) ?? gateway.headersTimeoutMs ?? 10_000,
    'GATEWAY_HEADERS_TIMEOUT_MS',
  );
  const requestTimeoutMs = positiveMs(
    nonEmpty(env.GATEWAY_REQUEST_TIMEOUT_MS) ?? gateway.requestTimeoutMs ?? 30_000,
    'GATEWAY_REQUEST_TIMEOUT_MS',
  );
  // Node enforces the request timeout only from the headers timeout on (and refuses a larger one at construction).
  if (headersTimeoutMs > requestTimeoutMs)
    throw new GatewayConfigError(
      'GATEWAY_HEADERS_TIMEOUT_MS',
      `must not exceed GATEWAY_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  const redisUrl = nonEmpty(env.REDIS_URL) ?? gateway.redisUrl;
  const redisProblem = redisUrl === undefined ? undefined : redisUrlProblem(redisUrl);
  if (redisProblem !== undefined) throw new GatewayConfigError('REDIS_URL', redisProblem);
  return {
    mode,
    host: nonEmpty(env.HOST) ?? gateway.host ?? '127.0.0.1',
    port: port(nonEmpty(env.PORT) ?? gateway.port ?? 3000),
    clientTokens,
    clients,
    adminToken: nonEmpty(env.GATEWAY_ADMIN_TOKEN) ?? gateway.adminToken,
    bodyLimit: nonEmpty(env.GATEWAY_BODY_LIMIT) ?? gateway.bodyLimit ?? '10mb',
    headersTimeoutMs,
    requestTimeoutMs,
    requestLog: oneOf(
      nonEmpty(env.GATEWAY_REQUEST_LOG) ?? gateway.requestLog ?? 'all',
      'GATEWAY_REQUEST_LOG',
      REQUEST_LOG_MODES,
    ),
    logFormat: oneOf(
      nonEmpty(env.GATEWAY_LOG_FORMAT) ?? gateway.logFormat ?? 'text',
      'GATEWAY_LOG_FORMAT',
      LOG_FORMATS,
    ),
    logFlushMs: logFlushMs(nonEmpty(env.GATEWAY_LOG_FLUSH_MS) ?? gateway.logFlushMs ?? DEFAULT_LOG_FLUSH_MS),
    degradation:
      (flag(env.GATEWAY_DEGRADE, 'GATEWAY_DEGRADE') ?? gateway.degrade ?? true)
        ? { ...degradation, ...fallbackFromEnv(env) }
        : undefined,
    ...(redisUrl === undefined ? {} : { redisUrl }),
    metrics: MetricsSettings.fromEnv(env),
    pool: {
      ...fromFile,
      ...(keys === undefined ? {} : { keys }),
      ...(baseUrl === undefined ? {} : { defaultBaseUrl: baseUrl }),
      ...(env.DEEPSEEK_STRATEGY ? { strategy: env.DEEPSEEK_STRATEGY as DeepSeekPoolOptions['strategy'] } : {}),
    },
  };
}

function fallbackFromEnv(env: NodeJS.ProcessEnv): Pick<DeepSeekDegradationOptions, 'fallback'> {
  const as = nonEmpty(env.GATEWAY_FALLBACK);
  if (as === undefined) return {};
  return { fallback: { as: oneOf(as, 'GATEWAY_FALLBACK', ['error', 'message'] as const) } };
}

function oneOf<T extends string>(value: string, field: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new GatewayConfigError(field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got "${value}")`);
}

function readConfigFile(path: string, readFile: (path: string) => string): ConfigFile {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new GatewayConfigError('GATEWAY_CONFIG', `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed;
  } catch (error) {
    throw new GatewayConfigError('GATEWAY_CONFIG', `${path} is not a valid JSON object: ${(error as Error).message}`);
  }
}

function logFlushMs(value: string | number): number {
  const ms = Number(value);
  if (Number.isInteger(ms) && ms >= 0 && ms <= MAX_LOG_FLUSH_MS) return ms;
  throw new GatewayConfigError(
    'GATEWAY_LOG_FLUSH_MS',
    `must be an integer of milliseconds from 0 to ${MAX_LOG_FLUSH_MS} (got "${value}")`,
  );
}

function positiveMs(value: string | number, field: string): number {
  const ms = Number(value);
  if (Number.isInteger(ms) && ms > 0) return ms;
  throw new GatewayConfigError(field, `must be a positive integer of milliseconds (got "${value}")`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function list(value: string | undefined): string[] | undefined {
  const items = nonEmpty(value)
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

function flag(value: string | undefined, field: string): boolean | undefined {
  const text = nonEmpty(value)?.toLowerCase();
  if (text === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new GatewayConfigError(field, `must be true or false (got "${value}")`);
}

function port(value: string | number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535)
    throw new GatewayConfigError('PORT', `must be an integer from 0 to 65535 (got "${value}")`);
  return number;
}
