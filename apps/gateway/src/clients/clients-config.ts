import { GatewayConfigError } from '../config/gateway-config-error.js';
import type { ClientRecord } from './client-spec.js';
import { parseConfigClients } from './client-spec.js';

/** Client tokens with limits, and where they are shared between replicas. */
export interface ClientsConfig {
  /** The clients of GATEWAY_CLIENTS; undefined when it is not set (GATEWAY_TOKENS and the admin API only). */
  records: ClientRecord[] | undefined;
  /** REDIS_URL: clients created through the admin API and every client's counts live there; unset: in this process. */
  redisUrl: string | undefined;
  /** Prefix of the gateway's Redis keys (GATEWAY_REDIS_PREFIX). */
  redisPrefix: string;
  /** How often a replica re-reads the clients in Redis (created, changed, revoked elsewhere). */
  refreshMs: number;
  /** Tokens the configuration gives in plain (`token`): kept only to redact them from what leaves the gateway. */
  plainTokens?: readonly string[];
}

export const NO_CLIENTS: ClientsConfig = {
  records: undefined,
  redisUrl: undefined,
  redisPrefix: 'dsp:gw:',
  refreshMs: 250,
};

/** The `gateway` section fields of the GATEWAY_CONFIG file that this reads. */
export interface ClientsFileSection {
  clients?: unknown;
  redisUrl?: string;
  redisPrefix?: string;
}

const fail = (field: string, problem: string): Error => new GatewayConfigError(field, problem);

/**
 * GATEWAY_CLIENTS: a JSON array of clients, inline (starting with `[`) or in the file it names; else the `clients`
 * array of the GATEWAY_CONFIG file's `gateway` section. REDIS_URL (or `gateway.redisUrl`) shares them between replicas.
 */
export function loadClientsConfig(
  env: NodeJS.ProcessEnv,
  file: ClientsFileSection,
  readFile: (path: string) => string,
  nowIso = new Date().toISOString(),
): ClientsConfig {
  const fromEnv = env.GATEWAY_CLIENTS?.trim();
  const raw: unknown = fromEnv
    ? parseJson(fromEnv.startsWith('[') ? fromEnv : readClientsFile(fromEnv, readFile))
    : file.clients;
  const records =
    raw === undefined
      ? undefined
      : parseConfigClients(raw, fromEnv ? 'GATEWAY_CLIENTS' : 'gateway.clients', fail, nowIso);
  const prefix = env.GATEWAY_REDIS_PREFIX?.trim() || file.redisPrefix || NO_CLIENTS.redisPrefix;
  if (/\s/.test(prefix)) throw fail('GATEWAY_REDIS_PREFIX', 'must not contain spaces');
  return {
    records,
    redisUrl: env.REDIS_URL?.trim() || file.redisUrl || undefined,
    redisPrefix: prefix,
    refreshMs: NO_CLIENTS.refreshMs,
    plainTokens: records === undefined ? [] : plainTokensOf(raw),
  };
}

/** The `token` values of a clients array that parsed (so each is a string when present). */
function plainTokensOf(clients: unknown): string[] {
  if (!Array.isArray(clients)) return [];
  return clients.flatMap((client: unknown) => {
    const token = typeof client === 'object' && client !== null ? (client as { token?: unknown }).token : undefined;
    return typeof token === 'string' ? [token] : [];
  });
}

function readClientsFile(path: string, readFile: (path: string) => string): string {
  try {
    return readFile(path);
  } catch (error) {
    throw fail('GATEWAY_CLIENTS', `cannot read ${path}: ${(error as Error).message}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail('GATEWAY_CLIENTS', `is not valid JSON: ${(error as Error).message}`);
  }
}
