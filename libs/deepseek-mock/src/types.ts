import type { KeyEcho, KeyEchoEvent } from './key-echo.js';

/** HTTP statuses a key can be told to answer with (always, during an outage, or at a random rate). */
export const INJECTABLE_STATUSES = [401, 402, 429, 500, 503] as const;
export type InjectableStatus = (typeof INJECTABLE_STATUSES)[number];

/**
 * Every `intervalMs` the mock sends a keep-alive (blank line, or `: keep-alive` in a stream); after `afterMs` it closes
 * or answers.
 */
export interface KeepAliveTrickle {
  intervalMs: number;
  afterMs: number;
  then: 'close' | 'answer';
}

/** With probability `probability` a response takes `extraMs` longer. */
export interface LongTail {
  probability: number;
  extraMs: number;
}

/** At most `requests` admitted chat requests per sliding `windowMs`; beyond: 429 "Rate Limit Reached". */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** Between `fromMs` and `toMs` after `start()`, every request of the key gets `status` (default 503). */
export interface Outage {
  fromMs: number;
  toMs: number;
  status?: InjectableStatus;
}

/** How one key behaves. Every field is optional and can be changed at run time. */
export interface KeyBehaviour {
  /** Fixed latency before any response (except 401 and connection faults). */
  latencyMs?: number;
  /** Uniform +- jitter added to `latencyMs`. */
  jitterMs?: number;
  longTail?: LongTail;
  /** Probability per status, e.g. `{ "500": 0.2, "503": 0.1 }` (sum <= 1). */
  errorRates?: Partial<Record<`${InjectableStatus}`, number>>;
  /** Always answer this status. */
  status?: InjectableStatus;
  rateLimit?: RateLimit;
  /** Adds `Retry-After: <seconds>` to 429 and 503 answers (DeepSeek never sends it; other servers do). */
  retryAfterSeconds?: number;
  outage?: Outage;
  /** Destroy the socket as soon as the request arrives (ECONNRESET). */
  reset?: boolean;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Send 200 headers, then nothing. */
  headersThenStall?: boolean;
  /** A 200 whose body is only blank lines, then the end. */
  blankBody?: boolean;
  keepAlive?: KeepAliveTrickle;
  /** Streaming: stop after N text chunks and destroy the socket (no `[DONE]`, no error event). */
  cutAfterChunks?: number;
  /** Streaming: after N text chunks send `data: {"error":...}` and end. */
  errorEventAfterChunks?: number;
  /** Delay between stream chunks. */
  chunkDelayMs?: number;
  /** Number of chunks the content (and the reasoning) is split into. Default 4. */
  streamChunks?: number;
  /** Fixed answer content instead of the default echo. */
  reply?: string;
  /** Echo the key in an error answer (a misbehaving upstream: DeepSeek masks it), after validation and latency. */
  echoKey?: KeyEcho;
  /** Streaming: echo the key in an error event after N text chunks. */
  echoKeyEvent?: KeyEchoEvent;
  /** Fixed reasoning of thinking answers instead of the default one. */
  reasoning?: string;
  /**
   * Streaming: cut the body (socket destroyed) at byte `atByte`, or with `probability` (default 1) at a uniformly
   * drawn byte of the body before `[DONE]`: mid-line and mid-UTF-8 character cuts included.
   */
  cutStream?: StreamCut;
  /**
   * Which server the key behaves as. `deepseek` (default): chat prefix completion (a last assistant message with
   * `prefix: true`) on `/beta/chat/completions` only, the flag ignored on the normal path. `vllm`: no `/beta`;
   * `continue_final_message: true` (with `add_generation_prompt: false`) continues the last assistant message.
   */
  server?: 'deepseek' | 'vllm';
  /** A 200 whose body never ends: JSON that never closes, or (stream) content events without end. */
  endlessBody?: boolean;
  /** A 200 whose body is one line that never ends (stream: after the role event). */
  endlessLine?: boolean;
  /** `Retry-After` sent verbatim on 429 and 503 (huge or invalid values), instead of `retryAfterSeconds`. */
  retryAfterHeader?: string;
  /** `retry-after-ms` sent verbatim on 429 and 503. */
  retryAfterMsHeader?: string;
}

/** Where a stream is cut: a fixed byte, or a random one with a probability. */
export interface StreamCut {
  probability?: number;
  atByte?: number;
}

/** A key of the scenario: the bearer token, an optional display name and account, and its behaviour. */
export interface KeyConfig extends KeyBehaviour {
  key: string;
  /** Name used in stats and logs; defaults to the key. */
  name?: string;
  /** Account declared under `accounts`; keys without one are alone on an unlimited account of their own. */
  account?: string;
}

/** A partial behaviour: `null` removes a field (back to the scenario defaults). */
export type KeyPatch = { [K in keyof KeyBehaviour]?: KeyBehaviour[K] | null };

/** A run-time change of an account: `null` removes a field (unlimited concurrency, default balance, USD). */
export type AccountPatch = { [K in keyof AccountConfig]?: AccountConfig[K] | null };

export type Currency = 'USD' | 'CNY';

/** An account shared by its keys: concurrency ceiling, balance, context cache. */
export interface AccountConfig {
  /** In-flight chat requests allowed across the account's keys; over it: 429 with DeepSeek's concurrency message. */
  maxConcurrency?: number;
  /** Total balance in `currency`; drained by served tokens; <= 0 means 402. Default 1000. */
  balance?: number;
  /** Part of `balance` that is granted (spent first). Default 0. */
  grantedBalance?: number;
  currency?: Currency;
}

/** Price per million tokens, in the account's currency. */
export interface Pricing {
  cacheHitPerM: number;
  inputPerM: number;
  outputPerM: number;
}

/** A whole mock cast: models, accounts, keys and their behaviour. */
export interface MockScenario {
  description?: string;
  /** Ids listed by `GET /models` and accepted by chat completions. */
  models?: string[];
  /** Models that answer with `reasoning_content` (also any request with `thinking: {type: "enabled"}`). */
  thinkingModels?: string[];
  pricing?: Partial<Pricing>;
  /** Behaviour every key starts from; each key's own fields win. */
  defaults?: KeyBehaviour;
  accounts?: Record<string, AccountConfig>;
  keys: KeyConfig[];
}
