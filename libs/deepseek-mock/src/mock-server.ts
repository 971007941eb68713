import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MockControl, handleAdmin } from './admin.js';
import { handleApi } from './api-handler.js';
import { Exchange } from './http-io.js';
import type { MockContext } from './mock-context.js';
import { Registry } from './registry.js';
import { errors } from './mock-errors.js';
import { DEFAULT_SEED, mulberry32 } from './rng.js';
import { DEFAULT_MODELS, DEFAULT_THINKING_MODELS, parseScenario } from './scenario.js';
import type { Endpoint, MockStats } from './stats.js';
import type { AccountPatch, KeyConfig, KeyPatch, MockScenario } from './types.js';
import { DEFAULT_PRICING } from './usage.js';
import { number } from './validate.js';

export interface MockOptions {
  /** Seed of the PRNG behind error rates, jitter and long tails. */
  seed?: number;
  /** Clock for rate windows, outage windows and `created` (default `Date.now`). */
  now?: () => number;
}

export interface StartOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** Endpoints by "METHOD path" (paths without the optional `/v1` prefix). */
const ROUTES: Partial<Record<string, Endpoint>> = {
  'POST /chat/completions': 'chat',
  'GET /models': 'models',
  'GET /user/balance': 'balance',
};

const ADMIN_PREFIX = '/_mock/';
const BETA_CHAT = '/beta/chat/completions';

/** A DeepSeek API mock with per-key fault injection, on a plain `node:http` server. */
export class DeepSeekMock implements MockControl {
  private readonly registry: Registry;
  private readonly ctx: MockContext;
  private readonly now: () => number;
  private server: Server | undefined;
  private startedAt: number;
  private closing = false;
  private sequence = 0;
  private baseUrl = '';

  constructor(scenario: MockScenario = { keys: [] }, options: MockOptions = {}) {
    const valid = parseScenario(scenario);
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.registry = new Registry(valid);
    this.ctx = {
      rng: mulberry32(options.seed ?? DEFAULT_SEED),
      models: valid.models ?? DEFAULT_MODELS,
      thinkingModels: valid.thinkingModels ?? DEFAULT_THINKING_MODELS,
      pricing: { ...DEFAULT_PRICING, ...valid.pricing },
      now: () => this.now(),
      elapsedMs: () => this.now() - this.startedAt,
      nextSequence: () => ++this.sequence,
      isClosing: () => this.closing,
    };
  }

  /** Base URL once started, e.g. `http://127.0.0.1:53211` (use it as the client's `baseURL`). */
  get url(): string {
    return this.baseUrl;
  }

  /** Starts listening; outage windows count from here. */
  async start(options: StartOptions = {}): Promise<{ url: string }> {
    if (this.server) throw new Error('DeepSeekMock already started');
    const host = options.host ?? '127.0.0.1';
    const server = createServer({ keepAlive: true }, (req, res) => this.dispatch(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.startedAt = this.now();
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return { url: this.baseUrl };
  }

  /** Stops listening and destroys every open connection (hung requests included). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    this.server = undefined;
    this.closing = false;
  }

  stats(): MockStats {
    return this.registry.stats(this.now() - this.startedAt);
  }

  /** Zeroes every counter (peaks restart from the current in-flight); behaviour, balances and caches stay. */
  resetCounters(): void {
    this.registry.resetCounters();
  }

  keys(): KeyConfig[] {
    return this.registry.list();
  }

  /** A key's own configuration, by key value or name. */
  getKey(ref: string): KeyConfig {
    return this.registry.find(ref).config;
  }

  addKey(config: KeyConfig): KeyConfig {
    return this.registry.add(config);
  }

  /** Changes a key's behaviour (by key value or name); `null` fields fall back to the scenario defaults. */
  setKey(ref: string, patch: KeyPatch): KeyConfig {
    return this.registry.patchKey(ref, patch);
  }

  removeKey(ref: string): void {
    this.registry.remove(ref);
  }

  /** Changes an account (`key:<name>` for a key without a declared account). */
  setAccount(account: string, patch: AccountPatch): void {
    this.registry.patchAccount(account, patch);
  }

  /** Sets an account's balance (all topped up), e.g. to recover from 402 or to drain it. */
  setBalance(account: string, amount: number): void {
    this.registry.account(account).setBalance(number()(amount, 'balance'));
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const ex = new Exchange(req, res);
    this.route(ex).catch((err: unknown) => {
      // A write that failed because the client went away (Node 24 reports it before the response's 'close'): the
      // client's abort, not a reason for the mock to destroy the connection itself.
      if (ex.connectionLost || ex.req.socket.destroyed) return;
      if (res.headersSent) {
        ex.destroy();
        return;
      }
      ex.sendJson(500, { error: { message: `deepseek-mock internal error: ${(err as Error).message}` } });
    });
  }

  private async route(ex: Exchange): Promise<void> {
    const path = (ex.req.url ?? '/').split('?')[0];
    if (path.startsWith(ADMIN_PREFIX)) return handleAdmin(ex, path.slice(ADMIN_PREFIX.length), this);
    // DeepSeek's beta base URL serves chat completions too (with chat prefix completion); nothing else here.
    const beta = path === BETA_CHAT;
    const endpoint = beta ? 'chat' : ROUTES[`${ex.req.method} ${path.startsWith('/v1/') ? path.slice(3) : path}`];
    if (!endpoint || (beta && ex.req.method !== 'POST')) {
      ex.sendJson(404, errors.notFound(path).body);
      return;
    }
    return handleApi(ex, endpoint, this.registry, this.ctx, beta);
  }
}
