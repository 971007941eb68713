import { Body, Controller, HttpCode, Optional, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type AttemptMeta,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  DeepSeekDegradationService,
  DeepSeekPoolService,
  defaultTenant,
  validateChatRequest,
} from 'nestjs-deepseek-pool';
import { ClientTokenGuard } from '../auth/client-token.guard.js';
import { ClientAdmission, type ClientTicket } from '../clients/client-admission.js';
import { clientOf } from '../clients/request-client.js';
import { JsonBodyGuard } from '../http/json-body.guard.js';
import { PassThrough } from '../http/redact-output.hook.js';
import { RequestLog } from '../logging/request-log.js';
import { abortOnClientGone } from './client-abort.js';
import { resumeAfter } from './resume-after.js';
import { writeSse } from './sse-writer.js';
import { setTraceHeaders } from './trace-headers.js';

/** What Fastify sends for an object answer; a fresh answer's text goes out under the same type. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * `POST /v1/chat/completions`: the OpenAI-compatible endpoint, streaming and not, served by the pool. When the
 * degradation module is on, an answer the pool cannot give comes from the cache, a lighter model or the fallback.
 */
@Controller()
@UseGuards(ClientTokenGuard, JsonBodyGuard)
export class ChatCompletionsController {
  constructor(
    private readonly pool: DeepSeekPoolService,
    private readonly log: RequestLog,
    private readonly clients: ClientAdmission,
    @Optional() private readonly degradation?: DeepSeekDegradationService,
  ) {}

  @Post(['v1/chat/completions', 'chat/completions'])
  @PassThrough()
  @HttpCode(200)
  async create(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    validateChatRequest(body);
    const ticket = await this.clients.admit(clientOf(request), body);
    const signal = abortOnClientGone(request.raw, reply.raw);
    if (body.stream === true)
      return this.clients.track(ticket, () => this.stream(body, signal, request, reply, ticket));
    const call = () =>
      this.pool.chat(body, { signal, ...this.degradeOptions(body, request, ticket), ...ticket?.callOptions });
    const result = await this.clients.track(
      ticket,
      () => this.log.track(request, body, call),
      (answer) => ticket?.usageOf(answer),
    );
    setTraceHeaders(reply.raw, result.meta);
    if (result.bodyText === undefined) return result.data;
    // A fresh answer goes out as the upstream wrote it: no second serialization of what was just parsed.
    void reply.type(JSON_CONTENT_TYPE);
    return result.bodyText;
  }

  /**
   * Streams with back-pressure. Headers wait for the first chunk, so failover (or degradation) stays invisible to the
   * client.
   */
  private async stream(
    body: ChatCompletionRequest,
    signal: AbortSignal,
    request: FastifyRequest,
    reply: FastifyReply,
    ticket: ClientTicket | undefined,
  ): Promise<void> {
    const chunks = this.pool.stream(body, {
      signal,
      ...this.degradeOptions(body, request, ticket),
      ...ticket?.callOptions,
    });
    const iterator = (ticket?.watch(chunks) ?? chunks)[Symbol.asyncIterator]();
    let first!: IteratorResult<ChatCompletionChunk>;
    const meta = await this.log.track(request, body, async (): Promise<AttemptMeta> => {
      first = await iterator.next();
      return chunks.meta;
    });
    setTraceHeaders(reply.raw, meta);
    // From here the stream is written to Node's response: Fastify must not answer for it.
    reply.hijack();
    const ending = await writeSse(
      reply.raw,
      resumeAfter(first, iterator),
      this.pool.redactor,
      this.pool.limits.maxClientStallMs,
    );
    this.log.streamEnded(request, meta.keyId || `degraded:${meta.degraded}`, ending, meta.continuations);
  }

  /**
   * With the degradation module on: degrade the call, its cache scoped to the client's tenant, else to the caller's
   * credentials and `user`.
   */
  private degradeOptions(
    body: ChatCompletionRequest,
    request: FastifyRequest,
    ticket: ClientTicket | undefined,
  ): { degrade?: true; tenant?: string } {
    if (this.degradation === undefined) return {};
    return { degrade: true, tenant: ticket?.client.tenant ?? defaultTenant(body, request) };
  }
}
