import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import {
  type ChatCompletionChunk,
  type DeepSeekPool,
  type DeepSeekPoolOptions,
  type Transport,
  UndiciTransport,
  createDeepSeekPool,
} from 'nestjs-deepseek-pool';
import { Pool, request } from 'undici';
import { CHAT_REQUEST } from '../lib/chat-request.js';
import { recordingSdk } from './otel-sdk.js';
import { firstContentOfSse } from './sse.js';
import { StubTransport, WaitingStubTransport } from './stub-transport.js';

export interface Target {
  /** The mock's base URL. */
  url: string;
  /** Its keys (the fast scenario's 8): direct calls use the first, the pool all of them. */
  keys: string[];
}

/** One way of calling the mock. `call` resolves with the hrtime (ns) of the moment the variant measures to. */
export interface Variant {
  name: string;
  call(): Promise<bigint>;
  close(): Promise<void>;
  /** The pool's variants: hedges sent so far (extra upstream requests the caller did not make). */
  hedges?(): number;
  /** The pool's variants: races decided so far, by who answered first (the `hedge.won` events). */
  races?(): { wonByHedge: number; wonByPrimary: number };
  /** The pool's variants: the time of each hedge (performance.now(), ms), its first attempt's key; skips by reason. */
  hedgeLog?(): { atMs: number[]; fromKeyIds: string[]; skips: Record<string, number> };
}

const now = () => process.hrtime.bigint();

function hasContent(chunk: ChatCompletionChunk): boolean {
  const content = chunk.choices[0]?.delta.content;
  return typeof content === 'string' && content.length > 0;
}

function newPool(target: Target, transport?: Transport, options: Omit<DeepSeekPoolOptions, 'keys'> = {}): DeepSeekPool {
  const keys = target.keys.map((apiKey, index) => ({ id: `fast-${index + 1}`, apiKey, baseUrl: target.url }));
  return createDeepSeekPool({ keys, logger: false, ...(transport ? { transport } : {}), ...options });
}

/**
 * The baseline: undici `request` on a keep-alive Pool, body parsed as JSON (what the pool does too).
 * Run twice under two names, it is an A/A control: their difference is the measurement's noise.
 */
export function undiciChat(target: Target, name = 'undici'): Variant {
  const dispatcher = new Pool(target.url);
  const headers = { authorization: `Bearer ${target.keys[0]}`, 'content-type': 'application/json' };
  return {
    name,
    async call() {
      const response = await request(`${target.url}/chat/completions`, {
        dispatcher,
        method: 'POST',
        headers,
        body: JSON.stringify(CHAT_REQUEST),
      });
      if (response.statusCode !== 200) throw new Error(`mock answered ${response.statusCode}`);
      await response.body.json();
      return now();
    },
    close: () => dispatcher.close(),
  };
}

/** The official `openai` client (v6, fetch inside), no retries. */
export function openAiChat(target: Target): Variant {
  const client = new OpenAI({ apiKey: target.keys[0], baseURL: target.url, maxRetries: 0 });
  return {
    name: 'openai',
    async call() {
      await client.chat.completions.create(CHAT_REQUEST);
      return now();
    },
    close: () => Promise.resolve(),
  };
}

/** `pool.chat` as a variant, measured to the end of the call (or to `at`, read after it). */
function poolChatVariant(name: string, { pool, close }: DeepSeekPool, at: () => bigint = now): Variant {
  const races = { wonByHedge: 0, wonByPrimary: 0 };
  const log = { atMs: [] as number[], fromKeyIds: [] as string[], skips: {} as Record<string, number> };
  pool.events.on('hedge', ({ fromKeyId }) => {
    log.atMs.push(performance.now());
    log.fromKeyIds.push(fromKeyId);
  });
  pool.events.on('hedge.skipped', ({ reason }) => (log.skips[reason] = (log.skips[reason] ?? 0) + 1));
  pool.events.on('hedge.won', ({ winner }) => {
    if (winner === 'hedge') races.wonByHedge += 1;
    else races.wonByPrimary += 1;
  });
  return {
    name,
    async call() {
      await pool.chat(CHAT_REQUEST);
      return at();
    },
    close,
    hedges: () => log.atMs.length,
    races: () => ({ ...races }),
    hedgeLog: () => log,
  };
}

/** `pool.chat` over the 8 keys (or the first `keys`) with default options (p2c-ewma), or with `options`. */
export function poolChat(
  target: Target,
  name = 'pool',
  keys = target.keys.length,
  options: Omit<DeepSeekPoolOptions, 'keys'> = {},
): Variant {
  return poolChatVariant(name, newPool({ ...target, keys: target.keys.slice(0, keys) }, undefined, options));
}

const decoder = new TextDecoder();

async function readJson(body: AsyncIterable<Uint8Array>): Promise<unknown> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return JSON.parse(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
}

/** Keeps the CPU busy for `us` microseconds (wall time, so the same on any machine). */
function spin(us: number): void {
  const until = now() + BigInt(us * 1_000);
  while (now() < until);
}

/**
 * `transport` called directly: the request serialised with an abort signal, the body read and parsed. With
 * `workAfterSendUs`, the call then keeps the CPU busy that long before it waits, as code after the send would.
 */
function transportVariant(
  name: string,
  target: Target,
  transport: Transport,
  signal?: AbortSignal,
  workAfterSendUs = 0,
): Variant {
  const headers = { authorization: `Bearer ${target.keys[0]}`, 'content-type': 'application/json' };
  return {
    name,
    async call() {
      const sent = transport.request({
        baseUrl: target.url,
        path: '/chat/completions',
        method: 'POST',
        headers,
        body: JSON.stringify(CHAT_REQUEST),
        signal: signal ?? new AbortController().signal,
      });
      if (workAfterSendUs > 0) spin(workAfterSendUs);
      const response = await sent;
      if (response.status !== 200) throw new Error(`mock answered ${response.status}`);
      await readJson(response.body);
      return now();
    },
    close: () => transport.close(),
  };
}

/** The pool's own UndiciTransport, called directly (a signal per call, wrapped body; no routing, breaker or retry). */
export function transportChat(target: Target): Variant {
  return transportVariant('transport', target, new UndiciTransport());
}

/** CPU work after the send, in the call's event-loop turn (`transport-work`): what it adds to the call. */
export const WORK_AFTER_SEND_US = 10;

/**
 * The same, keeping the CPU busy for WORK_AFTER_SEND_US after handing the request over, in the same event-loop turn:
 * undici writes a request on an idle keep-alive socket only once that turn has run (it checks the socket first), so
 * this shows whether work done after the send delays it.
 */
export function transportWorkChat(target: Target): Variant {
  return transportVariant('transport-work', target, new UndiciTransport(), undefined, WORK_AFTER_SEND_US);
}

/** The stub transport called directly (one signal for all calls): the request serialised, the body read and parsed. */
export function stubDirect(target: Target, name = 'stub-direct', transport: Transport = new StubTransport()): Variant {
  return transportVariant(name, target, transport, new AbortController().signal);
}

/**
 * A stub transport that answers after a `GET /models` round trip to the mock (body read and dropped): the process
 * waits on the network between each request and its answer, yet the answer and the work around it are the stub's.
 */
function waitingStub(target: Target): WaitingStubTransport {
  const dispatcher = new Pool(target.url);
  const headers = { authorization: `Bearer ${target.keys[0]}` };
  const wait = async (): Promise<void> => {
    const response = await request(`${target.url}/models`, { dispatcher, headers });
    await response.body.dump();
  };
  return new WaitingStubTransport(wait, () => dispatcher.close());
}

/**
 * `pool.chat` over the same stub transport: what the pool itself costs per call, in CPU. By default with
 * `@opentelemetry/api` loaded and no SDK (its no-op tracer and meter), as in an app that does not export telemetry.
 */
export function poolStub(
  target: Target,
  name = 'pool-stub',
  options: Omit<DeepSeekPoolOptions, 'keys'> = {},
  transport: Transport = new StubTransport(),
): Variant {
  return poolOver(name, target, transport, options);
}

/** `pool.chat` over a transport of its own, closed with it (the pool never closes a transport it was given). */
function poolOver(
  name: string,
  target: Target,
  transport: Transport,
  options: Omit<DeepSeekPoolOptions, 'keys'> = {},
): Variant {
  const variant = poolChatVariant(name, newPool(target, transport, options));
  return { ...variant, close: () => variant.close().then(() => transport.close()) };
}

/** `pool.chat` over the stub with a recording OpenTelemetry SDK: spans batched (then dropped), metrics aggregated. */
export function poolStubOtel(target: Target): Variant {
  const sdk = recordingSdk();
  const variant = poolStub(target, 'pool-stub-otel', { telemetry: sdk.telemetry });
  return { ...variant, close: () => variant.close().then(() => sdk.shutdown()) };
}

/**
 * `pool.chat` over loopback, measured to the moment it hands the request to its transport: the pool's own work
 * before the request leaves, on a real network path (compare with the whole in-process call over the stub).
 */
export function poolSend(target: Target): Variant {
  const inner = new UndiciTransport();
  let sentAt = 0n;
  const transport: Transport = {
    request(request) {
      sentAt = now();
      return inner.request(request);
    },
    close: () => inner.close(),
  };
  return poolChatVariant('pool-send', newPool(target, transport), () => sentAt);
}

/** A direct streamed request: the time of its first content delta (the rest is read before the next call). */
export function undiciStream(target: Target): Variant {
  const dispatcher = new Pool(target.url);
  const headers = {
    authorization: `Bearer ${target.keys[0]}`,
    'content-type': 'application/json',
    accept: 'text/event-stream',
  };
  return {
    name: 'undici-sse',
    async call() {
      const body = JSON.stringify({ ...CHAT_REQUEST, stream: true });
      const response = await request(`${target.url}/chat/completions`, { dispatcher, method: 'POST', headers, body });
      if (response.statusCode !== 200) throw new Error(`mock answered ${response.statusCode}`);
      return firstContentOfSse(response.body, now);
    },
    close: () => dispatcher.close(),
  };
}

/** `pool.stream`: the time of the first chunk with content (the rest is read before the next call). */
export function poolStream(target: Target): Variant {
  const { pool, close } = newPool(target);
  return {
    name: 'pool-stream',
    async call() {
      let first: bigint | undefined;
      for await (const chunk of pool.stream(CHAT_REQUEST)) if (first === undefined && hasContent(chunk)) first = now();
      if (first === undefined) throw new Error('the stream had no content');
      return first;
    },
    close,
  };
}

export const VARIANTS = {
  undici: (target: Target) => undiciChat(target),
  'undici-aa': (target: Target) => undiciChat(target, 'undici-aa'),
  transport: transportChat,
  'transport-work': transportWorkChat,
  openai: openAiChat,
  pool: (target: Target) => poolChat(target),
  'pool-1key': (target: Target) => poolChat(target, 'pool-1key', 1),
  'pool-no-hedging': (target: Target) => poolChat(target, 'pool-no-hedging', undefined, { hedging: false }),
  /** Hedges sent whatever they yield (`hedging.minYield: 0`: the pool before hedges that do not pay were throttled). */
  'pool-no-yield': (target: Target) => poolChat(target, 'pool-no-yield', undefined, { hedging: { minYield: 0 } }),
  /** A hedge 1 ms into every call that has not answered, whatever hedges yield: what one hedge costs, by the dozen. */
  'pool-forced-hedges': (target: Target) =>
    poolChat(target, 'pool-forced-hedges', undefined, { hedging: { fixedMs: 1, minYield: 0 } }),
  /** A second pool like `pool`: the A/A control of the pool's own instances. */
  'pool-aa': (target: Target) => poolChat(target, 'pool-aa'),
  /** The hedge delay's floor at 10 ms, its default before 2026-12-04 (20 ms since). */
  'pool-floor-10': (target: Target) => poolChat(target, 'pool-floor-10', undefined, { hedging: { floorMs: 10 } }),
  /** Hedging on with a 1 s floor under its delay: at concurrency 64 on loopback no hedge is ever due. */
  'pool-hedges-never-due': (target: Target) =>
    poolChat(target, 'pool-hedges-never-due', undefined, { hedging: { floorMs: 1_000 } }),
  /**
   * The pool's transport at most 64 connections to the mock (undici's Pool otherwise opens one whenever all are busy:
   * at 64 calls in flight it holds more than 64, and a burst of hedges adds more), with and without hedging.
   */
  'pool-64-connections': (target: Target) =>
    poolOver('pool-64-connections', target, new UndiciTransport({ connections: 64 })),
  'pool-no-hedging-64-connections': (target: Target) =>
    poolOver('pool-no-hedging-64-connections', target, new UndiciTransport({ connections: 64 }), { hedging: false }),
  /** Caps above the 64 calls in flight: they bind only while a burst of hedges is out. */
  'pool-96-connections': (target: Target) =>
    poolOver('pool-96-connections', target, new UndiciTransport({ connections: 96 })),
  'pool-256-connections': (target: Target) =>
    poolOver('pool-256-connections', target, new UndiciTransport({ connections: 256 })),
  'stub-direct': (target: Target) => stubDirect(target),
  // The same pair over a stub that answers after a round trip to the mock: the process sleeps between send and answer.
  'stub-wait-direct': (target: Target) => stubDirect(target, 'stub-wait-direct', waitingStub(target)),
  'pool-stub-wait': (target: Target) => poolStub(target, 'pool-stub-wait', {}, waitingStub(target)),
  'pool-stub': (target: Target) => poolStub(target),
  // telemetry: false is the path the pool takes when @opentelemetry/api is not installed (no tracer, no-op hooks).
  'pool-stub-off': (target: Target) => poolStub(target, 'pool-stub-off', { telemetry: false }),
  'pool-stub-off-aa': (target: Target) => poolStub(target, 'pool-stub-off-aa', { telemetry: false }),
  'pool-stub-no-hedging': (target: Target) => poolStub(target, 'pool-stub-no-hedging', { hedging: false }),
  'pool-stub-otel': poolStubOtel,
  'pool-send': poolSend,
  'undici-sse': undiciStream,
  'pool-stream': poolStream,
} as const;
export type VariantName = keyof typeof VARIANTS;
