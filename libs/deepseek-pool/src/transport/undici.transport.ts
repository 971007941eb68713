import { Pool } from 'undici';
import { rejection } from '../rejection.js';
import type { AbortHandle, AbortSource } from '../resilience/abort-handle.js';
import { splitBaseUrl } from './base-url.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';
import { dispatchExchange } from './undici-exchange.js';

/** Connection pooling options of UndiciTransport, per upstream origin. */
export interface UndiciTransportOptions {
  /**
   * Max sockets per origin (default 2 500, DeepSeek's per-account concurrency for flash models); requests beyond it
   * queue inside the pool.
   */
  connections?: number;
  /** How long an idle keep-alive socket stays open, ms (undici's default, 4 s, when unset). */
  keepAliveTimeoutMs?: number;
  /** TCP + TLS connect timeout, ms (default 10_000). */
  connectTimeoutMs?: number;
  /** Requests in flight per socket (default 1: long streams would block whatever is pipelined behind them). */
  pipelining?: number;
}

/** A base URL resolved to its origin's pool and the path prefix of its own. */
interface Route {
  pool: Pool;
  pathPrefix: string;
}

const DEFAULT_CONNECTIONS = 2_500;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** UndiciTransport's own send, aborted through any AbortSource: set by the class's static block, for sendExchange. */
let sendWithAbortSource: (
  transport: UndiciTransport,
  request: Omit<TransportRequest, 'signal'>,
  abort: AbortSource,
) => Promise<TransportResponse>;

/**
 * Sends one exchange of the pool, aborted through `handle`. The built-in transport (its own `request`, not a
 * subclass's) reads the handle itself; any other transport gets the request as the contract says, with a real
 * AbortSignal that the handle builds then. An AbortController, its signal and an abort listener cost 0.3 µs per
 * attempt on Node 24 and 5.5 µs on Node 20, the handle 0.05 (bench/overhead/abort-cost.ts; bench/FINDINGS.md,
 * finding 1).
 */
export function sendExchange(
  transport: Transport,
  fields: Omit<TransportRequest, 'signal'>,
  handle: AbortHandle,
): Promise<TransportResponse> {
  if (transport instanceof UndiciTransport && transport.request === UndiciTransport.prototype.request)
    return sendWithAbortSource(transport, fields, handle);
  return transport.request({ ...fields, signal: handle.signal });
}

/**
 * The default transport: undici with one keep-alive Pool per origin, created on first use. undici's own
 * header and body timers are off: the pool enforces time-to-first-content, idle and total deadlines through
 * the AbortSignal (the pool's AbortHandle on its own calls: `sendExchange`), and undici's timers would misfire on
 * DeepSeek's keep-alive trickle.
 */
export class UndiciTransport implements Transport {
  private readonly routes = new Map<string, Route>();
  private readonly pools = new Map<string, Pool>();

  static {
    sendWithAbortSource = (transport, request, abort) => transport.send(request, abort);
  }

  constructor(private readonly options: UndiciTransportOptions = {}) {}

  /**
   * One HTTP exchange on the base URL's keep-alive pool, read through undici's handler callbacks (no response stream);
   * rejects with a transport error (a code, no secret) when no response arrives.
   */
  request(request: TransportRequest): Promise<TransportResponse> {
    return this.send(request, request.signal);
  }

  /** Closes every pool after its in-flight exchanges end (abort them first for a prompt close). */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.routes.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private send(request: Omit<TransportRequest, 'signal'>, abort: AbortSource): Promise<TransportResponse> {
    let route: Route;
    try {
      route = this.route(request.baseUrl);
    } catch (error) {
      return rejection(error);
    }
    const { pool, pathPrefix } = route;
    const options = {
      path: pathPrefix + request.path,
      method: request.method,
      headers: request.headers,
      body: request.body,
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    return dispatchExchange(pool, options, abort);
  }

  private route(baseUrl: string): Route {
    let route = this.routes.get(baseUrl);
    if (route === undefined) {
      const { origin, pathPrefix } = splitBaseUrl(baseUrl);
      route = { pool: this.pool(origin), pathPrefix };
      this.routes.set(baseUrl, route);
    }
    return route;
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      const { connections, keepAliveTimeoutMs, connectTimeoutMs, pipelining } = this.options;
      pool = new Pool(origin, {
        connections: connections ?? DEFAULT_CONNECTIONS,
        pipelining: pipelining ?? 1,
        connect: { timeout: connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
        ...(keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: keepAliveTimeoutMs }),
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}
