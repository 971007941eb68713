import type { ChatCompletion } from '../chat.types.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { AttemptControl } from '../resilience/attempt-control.js';
import type { Outcome } from '../resilience/outcome.js';
import { parseRetryAfterMs } from '../resilience/retry-after.js';
import { MalformedBodyError } from './body-errors.js';
import type { ChatBody } from './chat-body.js';
import type { ExchangeLimits } from './exchange-limits.js';
import { parseJsonText, readJsonText } from './json-body.js';
import type { Transport, TransportResponse } from './transport.js';
import { sendExchange } from './undici.transport.js';

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Sends one request to one key's upstream, within the attempt's first-byte timer; non-2xx answers throw UpstreamError
 * with the upstream's text (bounded), which the attempt's control redacts, then cuts, as it builds the error
 * (AttemptControl.upstreamFailure). Not an async function: a 2xx answer goes through one reaction, in the same
 * microtask turns, without an async function's frame per attempt.
 */
export function openExchange(
  transport: Transport,
  slot: KeySlot,
  control: AttemptControl,
  firstByteMs: number,
  request: { method: 'GET' | 'POST'; baseUrl?: string; path: string; body?: string; accept?: string },
  clock: { now(): number },
): Promise<TransportResponse> {
  control.arm('first-byte', firstByteMs);
  return sendExchange(
    transport,
    {
      baseUrl: request.baseUrl ?? slot.config.baseUrl,
      path: request.path,
      method: request.method,
      headers: slot.headers.get(
        { accept: request.accept ?? 'application/json', jsonBody: request.body !== undefined },
        control.trace.headers,
      ),
      body: request.body,
    },
    control.abortHandle,
  ).then((response) =>
    response.status >= 200 && response.status < 300 ? response : refuse(response, slot, control, clock),
  );
}

/** The UpstreamError of a non-2xx answer, its body read (bounded) for the upstream's message. */
async function refuse(
  response: TransportResponse,
  slot: KeySlot,
  control: AttemptControl,
  clock: { now(): number },
): Promise<never> {
  control.arm('total');
  const errorBody = await readErrorBody(response.body);
  const message = errorMessage(errorBody);
  const outcome: Outcome = {
    kind: 'http',
    status: response.status,
    retryAfterMs: parseRetryAfterMs(response.headers, clock.now()),
    message,
  };
  throw control.upstreamFailure({
    message: `Upstream answered ${response.status} on key ${slot.id}: ${message ?? 'no message'}`,
    outcome,
    keyId: slot.id,
    body: errorBody,
  });
}

/** A chat completion as parsed, and the body text it was parsed from (leading keep-alive whitespace left out). */
export interface ChatAnswer {
  completion: ChatCompletion;
  text: string;
}

/**
 * One non-streaming chat completion on one key: the upstream body, unchanged. After the headers, any byte (DeepSeek's
 * keep-alive blank lines included) restarts the `idleMs` timer, so a silent stall ends after `idleMs` while a
 * trickle runs to the attempt's deadline.
 */
export async function exchangeChat(
  transport: Transport,
  slot: KeySlot,
  control: AttemptControl,
  settings: { timeouts: { firstByteMs: number; idleMs: number }; limits: Pick<ExchangeLimits, 'maxResponseBytes'> },
  request: { model: string; body: ChatBody },
  clock: { now(): number },
): Promise<ChatAnswer> {
  const body = request.body.forModel(slot.upstreamModel(request.model));
  const response = await openExchange(
    transport,
    slot,
    control,
    settings.timeouts.firstByteMs,
    { method: 'POST', path: '/chat/completions', body },
    clock,
  );
  const alive = (): void => control.arm('idle', settings.timeouts.idleMs);
  alive();
  const text = await readJsonText(response.body, alive, settings.limits.maxResponseBytes);
  const completion = parseJsonText(text);
  if (!isChatCompletion(completion))
    throw new MalformedBodyError('the body is not a chat completion (no choices array)');
  control.trace.observe(completion);
  return { completion, text };
}

function isChatCompletion(value: unknown): value is ChatCompletion {
  return typeof value === 'object' && value !== null && Array.isArray((value as { choices?: unknown }).choices);
}

/** The first MAX_ERROR_BODY_BYTES of an error body; the rest is never read (the body is destroyed). */
async function readErrorBody(body: AsyncIterable<Uint8Array>): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size >= MAX_ERROR_BODY_BYTES) break;
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES).trim();
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text || null, type: 'upstream_error', param: null, code: null } };
  }
}

function errorMessage(body: unknown): string | undefined {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}
