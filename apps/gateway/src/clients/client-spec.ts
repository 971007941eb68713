import { hashClientToken, tokenHint } from './client-token.js';
import { type ClientLimits, LIMIT_NAMES, BUDGET_LIMITS } from './spend-window.js';

/** What an operator sets on a client token. */
export interface ClientProfile {
  /** Cache scope of degraded answers and a label for reports; default: the client's name. */
  tenant?: string;
  /** Models the client may ask for; absent: any. */
  models?: string[];
  limits: ClientLimits;
  /** Key priorities (`keys[].priority`) the client's requests may use; absent: every priority. */
  priorities?: number[];
}

/** A client token as the gateway keeps it: the token itself is never kept, only its SHA-256. */
export interface ClientRecord extends ClientProfile {
  /** Unique; the client's id in the admin API, metrics and the status page. */
  name: string;
  /** `config`: from GATEWAY_CLIENTS (read-only in the admin API); `api`: created through the admin API. */
  source: 'config' | 'api';
  tokenSha256: string;
  /** What listings show of the token. */
  tokenHint: string;
  createdAt: string;
  updatedAt: string;
}

/** A record as the admin API returns it. */
export type ClientView = Omit<ClientRecord, 'tokenSha256'>;

export const viewOf = ({ tokenSha256: _hash, ...view }: ClientRecord): ClientView => view;

/** Builds the error for a bad field (a GatewayConfigError at start, a 400 in the admin API). */
export type FieldError = (field: string, problem: string) => Error;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const PROFILE_FIELDS = new Set(['tenant', 'models', 'limits', 'priorities']);

export function parseClientName(value: unknown, field: string, fail: FieldError): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw fail(field, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  return value;
}

/** The profile fields present in `input` (all of them unless `partial`), validated; unknown fields are refused. */
export function parseProfile(
  input: Record<string, unknown>,
  field: string,
  fail: FieldError,
  partial: false,
  extra?: readonly string[],
): ClientProfile;
export function parseProfile(
  input: Record<string, unknown>,
  field: string,
  fail: FieldError,
  partial: true,
  extra?: readonly string[],
): Partial<ClientProfile>;
export function parseProfile(
  input: Record<string, unknown>,
  field: string,
  fail: FieldError,
  partial: boolean,
  extra: readonly string[] = [],
): Partial<ClientProfile> {
  for (const name of Object.keys(input))
    if (!PROFILE_FIELDS.has(name) && !extra.includes(name)) throw fail(`${field}.${name}`, 'is not a client field');
  const profile: Partial<ClientProfile> = {};
  if (input.tenant !== undefined) {
    if (typeof input.tenant !== 'string' || input.tenant.length === 0 || input.tenant.length > 128)
      throw fail(`${field}.tenant`, 'must be a non-empty string of at most 128 characters');
    profile.tenant = input.tenant;
  }
  if (input.models !== undefined) profile.models = stringList(input.models, `${field}.models`, fail);
  if (input.priorities !== undefined) {
    const { priorities } = input;
    if (!Array.isArray(priorities) || priorities.length === 0 || !priorities.every((p) => Number.isInteger(p)))
      throw fail(`${field}.priorities`, 'must be a non-empty array of key priorities (integers)');
    profile.priorities = [...new Set(priorities as number[])];
  }
  if (input.limits !== undefined || !partial) profile.limits = parseLimits(input.limits ?? {}, `${field}.limits`, fail);
  return profile;
}

/**
 * `{ requestsPerMinute?, tokensPerMinute?, tokensPerDay? }` integers > 0, `{ usdPerDay?, usdPerMonth? }` numbers > 0.
 */
export function parseLimits(value: unknown, field: string, fail: FieldError): ClientLimits {
  const input = asObject(value, field, fail);
  const limits: ClientLimits = {};
  for (const name of Object.keys(input))
    if (!(LIMIT_NAMES as readonly string[]).includes(name))
      throw fail(`${field}.${name}`, `is not a limit (one of ${LIMIT_NAMES.join(', ')})`);
  for (const name of LIMIT_NAMES) {
    const max = input[name];
    if (max === undefined) continue;
    const budget = BUDGET_LIMITS.has(name);
    const valid = typeof max === 'number' && Number.isFinite(max) && max > 0 && (budget || Number.isInteger(max));
    if (!valid) throw fail(`${field}.${name}`, budget ? 'must be a number of USD > 0' : 'must be an integer > 0');
    limits[name] = max;
  }
  return limits;
}

/**
 * A client of GATEWAY_CLIENTS: a name, a profile, and its token in plain (`token`) or hashed (`tokenSha256`,
 * preferred).
 */
export function parseConfigClient(value: unknown, field: string, fail: FieldError, nowIso: string): ClientRecord {
  const input = asObject(value, field, fail);
  const { name, token, tokenSha256, ...rest } = input;
  const profile = parseProfile(rest, field, fail, false);
  if ((token === undefined) === (tokenSha256 === undefined))
    throw fail(`${field}.token`, 'set exactly one of "token" and "tokenSha256"');
  if (token !== undefined && (typeof token !== 'string' || token.length < 16 || /\s/.test(token)))
    throw fail(`${field}.token`, 'must be at least 16 characters without spaces');
  if (tokenSha256 !== undefined && (typeof tokenSha256 !== 'string' || !SHA256.test(tokenSha256)))
    throw fail(`${field}.tokenSha256`, 'must be the hex SHA-256 of the token (64 lowercase hex digits)');
  return {
    name: parseClientName(name, `${field}.name`, fail),
    ...profile,
    source: 'config',
    tokenSha256: typeof token === 'string' ? hashClientToken(token) : (tokenSha256 as string),
    tokenHint: typeof token === 'string' ? tokenHint(token) : `sha256:${(tokenSha256 as string).slice(0, 8)}`,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
}

/** Every client of a GATEWAY_CLIENTS list, names unique. */
export function parseConfigClients(value: unknown, field: string, fail: FieldError, nowIso: string): ClientRecord[] {
  if (!Array.isArray(value)) throw fail(field, 'must be a JSON array of clients');
  const clients = value.map((item, i) => parseConfigClient(item, `${field}[${i}]`, fail, nowIso));
  const seen = new Set<string>();
  clients.forEach((client, i) => {
    if (seen.has(client.name)) throw fail(`${field}[${i}].name`, `"${client.name}" is used twice`);
    seen.add(client.name);
  });
  return clients;
}

function stringList(value: unknown, field: string, fail: FieldError): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0))
    throw fail(field, 'must be a non-empty array of strings');
  return [...new Set(value as string[])];
}

function asObject(value: unknown, field: string, fail: FieldError): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(field, 'must be a JSON object');
  return value as Record<string, unknown>;
}
