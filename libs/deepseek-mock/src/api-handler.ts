import { handleChat } from './chat-handler.js';
import { sendError, stall } from './faults.js';
import { type Exchange, bearerKey } from './http-io.js';
import { appliesToProbes, drawErrorStatus, drawLatencyMs, forcedStatus } from './key-behaviour.js';
import type { MockContext } from './mock-context.js';
import type { KeyState, Registry } from './registry.js';
import { errors } from './mock-errors.js';
import { balanceBody, errorForStatus, modelsBody } from './responses.js';
import type { Endpoint } from './stats.js';

/**
 * The free probes `GET /models` and `GET /user/balance`: subject to the key's stalls, latency and 401/5xx
 * statuses, not to quota statuses. A key forced to 402 reports an empty, unavailable balance.
 */
async function handleProbe(
  ex: Exchange,
  endpoint: 'models' | 'balance',
  state: KeyState,
  ctx: MockContext,
): Promise<void> {
  const b = state.behaviour;
  if (stall(ex, b, false)) return;
  const forced = forcedStatus(b, ctx.elapsedMs());
  await ex.wait(drawLatencyMs(b, ctx.rng));
  const status = forced ?? drawErrorStatus(b, ctx.rng);
  if (status !== undefined && appliesToProbes(status)) {
    sendError(ex, errorForStatus(status, state.config.key), b);
    return;
  }
  if (endpoint === 'models') {
    ex.sendJson(200, modelsBody(ctx.models));
    return;
  }
  const info = state.account.balanceInfo();
  ex.sendJson(200, balanceBody(forced === 402 ? { ...info, total: 0, granted: 0, toppedUp: 0 } : info));
}

/**
 * Every DeepSeek endpoint: authentication (401), counters, the `reset` fault, then the endpoint itself (`beta`: under
 * `/beta`).
 */
export async function handleApi(
  ex: Exchange,
  endpoint: Endpoint,
  registry: Registry,
  ctx: MockContext,
  beta = false,
): Promise<void> {
  const token = bearerKey(ex.req);
  const state = registry.byBearer(token);
  if (!state) {
    registry.countUnauthenticated(endpoint);
    ex.sendJson(401, errors.authentication(token).body);
    return;
  }
  state.counters.requests[endpoint]++;
  ex.onStatus = (status) => {
    const responses = state.counters.responses;
    responses[status] = (responses[status] ?? 0) + 1;
  };
  ex.onClose(() => {
    if (ex.abortedByClient && !ctx.isClosing()) state.counters.clientAborts++;
  });
  const b = state.behaviour;
  if (beta && b.server === 'vllm') {
    ex.sendJson(404, errors.notFound(ex.req.url ?? '').body);
    return;
  }
  if (b.status === 401) {
    sendError(ex, errors.authentication(token), b);
    return;
  }
  if (b.reset) {
    state.counters.resets++;
    ex.reset();
    return;
  }
  return endpoint === 'chat' ? handleChat(ex, state, ctx, beta) : handleProbe(ex, endpoint, state, ctx);
}
