import { ConflictException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InvalidOptionsError } from 'nestjs-deepseek-pool';
import { type ClientRecord, type ClientView, parseClientName, parseProfile, viewOf } from './client-spec.js';
import type { ClientStore } from './client-store.js';
import { generateClientToken, hashClientToken, tokenHint } from './client-token.js';

const badField = (field: string, problem: string): Error => new InvalidOptionsError(field, problem);

/** A client and its token: the only time a token is returned (creation, rotation). */
export interface IssuedToken {
  client: ClientView;
  token: string;
}

/**
 * Every client token the gateway accepts: those of GATEWAY_CLIENTS (read-only) and those created through the admin
 * API (kept in the store: Redis for several replicas). Tokens are looked up by their SHA-256; the store is re-read
 * every `refreshMs`, so a client created, changed or revoked on one replica holds on the others within that time.
 */
export class ClientDirectory {
  private api = new Map<string, ClientRecord>();
  private byHash = new Map<string, ClientRecord>();
  private readonly configNames: ReadonlySet<string>;

  constructor(
    private readonly config: readonly ClientRecord[],
    private readonly store: ClientStore,
    private readonly now: () => number = Date.now,
  ) {
    this.configNames = new Set(config.map((c) => c.name));
    this.index();
  }

  /** The client a bearer token belongs to. */
  find(token: string): ClientRecord | undefined {
    return this.byHash.get(hashClientToken(token));
  }

  get size(): number {
    return this.byHash.size;
  }

  list(): ClientView[] {
    return this.all().map(viewOf);
  }

  all(): ClientRecord[] {
    return [...this.config, ...this.api.values()];
  }

  /**
   * Re-reads the store; on failure the last known clients stay in force. A store that lost its data (Redis restarted
   * empty) gets this replica's clients back, so a Redis restart revokes no token.
   */
  async refresh(): Promise<void> {
    const records = await this.store.load();
    if (records === undefined) {
      await Promise.all([...this.api.values()].map((record) => this.store.create(record)));
      return;
    }
    this.api = new Map(records.filter((r) => !this.configNames.has(r.name)).map((r) => [r.name, r]));
    this.index();
  }

  async create(body: unknown): Promise<IssuedToken> {
    const input = objectBody(body);
    const name = parseClientName(input.name, 'name', badField);
    const profile = parseProfile(input, 'client', badField, false, ['name']);
    if (this.configNames.has(name)) throw new ConflictException(`Client "${name}" is defined in GATEWAY_CLIENTS`);
    const token = generateClientToken();
    const nowIso = new Date(this.now()).toISOString();
    const record: ClientRecord = {
      name,
      ...profile,
      source: 'api',
      tokenSha256: hashClientToken(token),
      tokenHint: tokenHint(token),
      createdAt: nowIso,
      updatedAt: nowIso,
    };
    if (!(await this.write(() => this.store.create(record))))
      throw new ConflictException(`Client "${name}" already exists`);
    this.put(record);
    return { client: viewOf(record), token };
  }

  /** Replaces the fields given (`limits` as a whole); `null` clears tenant, models or priorities. */
  async update(name: string, body: unknown): Promise<ClientView> {
    const current = this.apiClient(name);
    const input = objectBody(body);
    const cleared = (field: 'tenant' | 'models' | 'priorities') => input[field] === null;
    const profile = parseProfile(
      Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)),
      'client',
      badField,
      true,
    );
    const { tenant, models, priorities, ...required } = { ...current, ...profile };
    const record: ClientRecord = {
      ...required,
      ...(tenant === undefined || cleared('tenant') ? {} : { tenant }),
      ...(models === undefined || cleared('models') ? {} : { models }),
      ...(priorities === undefined || cleared('priorities') ? {} : { priorities }),
      updatedAt: new Date(this.now()).toISOString(),
    };
    return viewOf(await this.replace(record));
  }

  async rotate(name: string): Promise<IssuedToken> {
    const token = generateClientToken();
    const record = await this.replace({
      ...this.apiClient(name),
      tokenSha256: hashClientToken(token),
      tokenHint: tokenHint(token),
      updatedAt: new Date(this.now()).toISOString(),
    });
    return { client: viewOf(record), token };
  }

  async revoke(name: string): Promise<void> {
    this.apiClient(name);
    await this.write(() => this.store.remove(name));
    this.api.delete(name);
    this.index();
  }

  private async replace(record: ClientRecord): Promise<ClientRecord> {
    if (!(await this.write(() => this.store.replace(record)))) {
      this.api.delete(record.name);
      this.index();
      throw new NotFoundException(`No client "${record.name}"`);
    }
    this.put(record);
    return record;
  }

  /** An API client by name: 404 when unknown, 409 for a GATEWAY_CLIENTS client (change the file instead). */
  private apiClient(name: string): ClientRecord {
    if (this.configNames.has(name))
      throw new ConflictException(`Client "${name}" is defined in GATEWAY_CLIENTS: change it there`);
    const record = this.api.get(name);
    if (!record) throw new NotFoundException(`No client "${name}"`);
    return record;
  }

  private async write(call: () => Promise<boolean>): Promise<boolean> {
    try {
      return await call();
    } catch {
      throw new ServiceUnavailableException(
        'The client store (Redis) is unreachable: client changes are refused until it is back',
      );
    }
  }

  private put(record: ClientRecord): void {
    this.api.set(record.name, record);
    this.index();
  }

  private index(): void {
    this.byHash = new Map(this.all().map((record) => [record.tokenSha256, record]));
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidOptionsError('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}
