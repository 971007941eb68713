import { type ChatRequest, parseChatRequest } from './chat-request.js';
import { composeAnswer } from './completion.js';
import { type PartialAnswer, partialAnswerOf } from './continuation.js';
import { prefixHashes } from './context-cache.js';
import { okHeaders, sendBlankBody, sendError, stall, trickle } from './faults.js';
import { sendEndlessBody, sendsEndlessBody } from './hostile-bodies.js';
import type { Exchange } from './http-io.js';
import { keyEchoEvent, sendKeyEcho } from './key-echo.js';
import { drawErrorStatus, drawLatencyMs, forcedStatus } from './key-behaviour.js';
import type { MockContext } from './mock-context.js';
import type { KeyState } from './registry.js';
import { type MockError, errors } from './mock-errors.js';
import { completionBody, errorForStatus } from './responses.js';
import { addUsage } from './stats.js';
import { SSE_KEEP_ALIVE, drawCut, planStream, writeStream } from './streaming.js';
import { costOf } from './usage.js';

/** Default number of chunks a streamed text is split into. */
export const DEFAULT_STREAM_CHUNKS = 4;

/** Statuses decided when the request is admitted: forced status or outage, rate limit, balance, then random errors. */
function admissionError(state: KeyState, ctx: MockContext): MockError | undefined {
  const b = state.behaviour;
  const forced = forcedStatus(b, ctx.elapsedMs());
  if (forced !== undefined) return errorForStatus(forced, state.config.key);
  if (b.rateLimit && !state.rateWindow.tryAdmit(b.rateLimit, ctx.now())) {
    state.counters.rejections.rateLimit++;
    return errors.rateLimit();
  }
  if (state.account.balance <= 0) {
    state.counters.rejections.balance++;
    return errors.insufficientBalance();
  }
  const drawn = drawErrorStatus(b, ctx.rng);
  return drawn === undefined ? undefined : errorForStatus(drawn, state.config.key);
}

/** Takes an account concurrency slot for the request's lifetime, or returns DeepSeek's concurrency 429. */
function admitConcurrency(ex: Exchange, state: KeyState): MockError | undefined {
  const { account, counters } = state;
  const slot = account.tryAcquire();
  if (!slot.ok) {
    counters.rejections.concurrency++;
    return errors.concurrency(slot.current, slot.limit);
  }
  counters.inFlight++;
  counters.peakInFlight = Math.max(counters.peakInFlight, counters.inFlight);
  ex.onClose(() => {
    account.release();
    state.counters.inFlight--;
  });
  return undefined;
}

/** Serves an admitted, valid request: blank body, keep-alive trickle, then the JSON answer or the stream. */
async function answer(
  ex: Exchange,
  state: KeyState,
  ctx: MockContext,
  request: ChatRequest,
  partial: PartialAnswer | undefined,
): Promise<void> {
  const b = state.behaviour;
  if (request.stream && (b.blankBody || b.keepAlive)) state.counters.streams.started++;
  if (b.echoKey) {
    sendKeyEcho(ex, state.config.key, b.echoKey);
    return;
  }
  if (b.blankBody) return sendBlankBody(ex, request.stream);
  if (sendsEndlessBody(b)) return sendEndlessBody(ex, b, request.stream);
  if (b.keepAlive) {
    ex.head(200, okHeaders(request.stream));
    await trickle(ex, b.keepAlive, request.stream ? SSE_KEEP_ALIVE : '\n');
    if (b.keepAlive.then === 'close') {
      ex.end();
      return;
    }
  }
  const result = composeAnswer({
    request,
    created: Math.floor(ctx.now() / 1000),
    sequence: ctx.nextSequence(),
    keyName: state.name,
    ...(b.reply === undefined ? {} : { reply: b.reply }),
    ...(b.reasoning === undefined ? {} : { reasoning: b.reasoning }),
    ...(partial ? { partial } : {}),
    thinking: request.thinking ?? ctx.thinkingModels.includes(request.model),
    cachedMessages: state.account.cache.lookupAndStore(prefixHashes(request.messages)),
  });
  state.account.charge(costOf(result.usage, ctx.pricing));
  addUsage(state.counters, result.usage);
  if (!request.stream) {
    ex.sendJson(200, completionBody(result));
    return;
  }
  if (!ex.res.headersSent) {
    ex.head(200, okHeaders(true));
    state.counters.streams.started++;
  }
  const pieces = Math.max(1, Math.ceil((b.streamChunks ?? DEFAULT_STREAM_CHUNKS) * (result.share ?? 1)));
  const plan = planStream(result, { pieces, includeUsage: request.includeUsage });
  const cutAtByte = drawCut(b.cutStream, plan, ctx.rng);
  const echo = b.echoKeyEvent;
  const faults = {
    ...b,
    ...(echo ? { errorEventAfterChunks: echo.afterChunks } : {}),
    ...(cutAtByte === undefined ? {} : { cutAtByte }),
  };
  const end = await writeStream(
    ex,
    plan,
    faults,
    echo ? keyEchoEvent(state.config.key, echo) : errors.serverError().body,
  );
  state.counters.streams[end === 'completed' ? 'completed' : end === 'cut' ? 'cut' : 'errorEvents']++;
}

/**
 * `POST /chat/completions` (or `/beta/chat/completions`) for an authenticated key: account concurrency slot, hang /
 * stall, validation (continuation flags included), admission statuses, latency, then the answer.
 */
export async function handleChat(ex: Exchange, state: KeyState, ctx: MockContext, beta = false): Promise<void> {
  const raw = await ex.readBody();
  const b = state.behaviour;
  const overConcurrency = admitConcurrency(ex, state);
  const parsed = parseChatRequest(raw, ctx.models);
  if (!overConcurrency && stall(ex, b, parsed.request?.stream === true)) return;
  const partial = parsed.request && partialAnswerOf(parsed.request, b.server ?? 'deepseek', beta);
  const invalid = partial && 'status' in partial ? partial : undefined;
  const error = overConcurrency ?? parsed.error ?? invalid ?? admissionError(state, ctx);
  await ex.wait(drawLatencyMs(b, ctx.rng));
  if (error) {
    sendError(ex, error, b);
    return;
  }
  if (parsed.request) return answer(ex, state, ctx, parsed.request, partial as PartialAnswer | undefined);
}
