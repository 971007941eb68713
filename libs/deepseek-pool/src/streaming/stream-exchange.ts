import type { ChatCompletionChunk, Usage } from '../chat.types.js';
import type { Clock } from '../clock.js';
import { ClientStalledError } from '../deepseek-pool.errors.js';
import type { KeySlot } from '../keys/key-slot.js';
import type { AttemptControl } from '../resilience/attempt-control.js';
import { MalformedBodyError } from '../transport/body-errors.js';
import type { ChatBody } from '../transport/chat-body.js';
import type { ExchangeLimits } from '../transport/exchange-limits.js';
import { parseSse } from '../transport/sse-parser.js';
import type { Transport } from '../transport/transport.js';
import { openExchange } from '../transport/upstream-exchange.js';
import { ChunkChannel } from './chunk-channel.js';
import { carriesContent } from './chunk-content.js';

/** Chunks queued ahead of a slow reader before the upstream read pauses. */
const HIGH_WATER_MARK = 16;

export interface StreamTimeouts {
  firstByteMs: number;
  firstContentMs: number;
  idleMs: number;
}

/**
 * One streaming attempt on one key. Chunks before the first content (the role delta) are held back; at the first
 * content chunk the attempt commits its channel to the caller (`commit`), and from then on it cannot fail over.
 * Keep-alive comments never count as content and never re-arm a timer. The returned promise settles when the
 * upstream stream ends: it rejects on a cut, a stall (idle timeout), an error event, a line or event over
 * `limits.maxSseLineBytes` or a missing `[DONE]`, so the key's breaker records failures that happen after the commit
 * too. While the committed caller is not reading, the attempt's clocks stand still (the upstream is not timed for the
 * caller's pause); a caller away for `limits.maxClientStallMs` gets a ClientStalledError and the key is untouched.
 */
export async function exchangeStream(
  transport: Transport,
  slot: KeySlot,
  control: AttemptControl,
  settings: { timeouts: StreamTimeouts; limits: Pick<ExchangeLimits, 'maxSseLineBytes' | 'maxClientStallMs'> },
  request: { model: string; body: ChatBody },
  clock: Clock,
  commit: (channel: ChunkChannel<ChatCompletionChunk>) => void,
  onUsage: (usage: Usage) => void,
  baseUrl = slot.config.baseUrl,
): Promise<void> {
  const { timeouts, limits } = settings;
  const body = request.body.forModel(slot.upstreamModel(request.model));
  let committed = false as boolean; // set by commitOnce, which TypeScript's narrowing does not see
  const channel: ChunkChannel<ChatCompletionChunk> = new ChunkChannel<ChatCompletionChunk>(
    HIGH_WATER_MARK,
    () => control.cancel(),
    {
      blocked: () => {
        if (committed)
          control.pause(limits.maxClientStallMs, () =>
            channel.abandon(new ClientStalledError(limits.maxClientStallMs)),
          );
      },
      unblocked: () => control.resume(),
    },
  );
  const commitOnce = (): void => {
    if (committed) return;
    committed = true;
    commit(channel);
  };
  try {
    const response = await openExchange(
      transport,
      slot,
      control,
      timeouts.firstByteMs,
      { method: 'POST', baseUrl, path: '/chat/completions', body, accept: 'text/event-stream' },
      clock,
    );
    control.arm('first-content', timeouts.firstContentMs);
    const events = parseSse(response.body, limits.maxSseLineBytes);
    for (;;) {
      const next = await events.next();
      if (next.done)
        throw control.upstreamFailure({
          message: `Stream from key ${slot.id} ended without [DONE]`,
          outcome: { kind: 'protocol', detail: 'stream cut' },
          keyId: slot.id,
          body: undefined,
        });
      const event = next.value;
      if (event.type === 'comment') continue;
      if (event.type === 'done') {
        await events.return({ truncated: false });
        break;
      }
      const chunk = parseChunk(event.data, slot.id, control);
      control.trace.observe(chunk);
      if (!committed && carriesContent(chunk)) commitOnce();
      if (committed) control.arm('idle', timeouts.idleMs);
      if (chunk.usage) onUsage(chunk.usage);
      if (!(await channel.push(chunk))) return;
    }
    commitOnce();
    channel.close();
  } catch (error) {
    const failure = control.failure(error, slot.id, `Stream from key ${slot.id} failed`);
    if (committed) channel.fail(failure);
    throw failure;
  }
}

function parseChunk(data: string, keyId: string, control: AttemptControl): ChatCompletionChunk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedBodyError('a stream event is not JSON');
  }
  const upstreamError = (parsed as { error?: { message?: unknown } } | null)?.error;
  if (upstreamError) {
    const message = typeof upstreamError.message === 'string' ? upstreamError.message : 'error event';
    throw control.upstreamFailure({
      message: `Key ${keyId} sent an error event mid-stream: ${message}`,
      outcome: { kind: 'protocol', detail: 'error event' },
      keyId,
      body: parsed,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { choices?: unknown }).choices)) {
    throw new MalformedBodyError('a stream event is not a chat.completion.chunk');
  }
  return parsed as ChatCompletionChunk;
}
