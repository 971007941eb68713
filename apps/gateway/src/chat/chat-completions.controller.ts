import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type ChatCompletionRequest, DeepSeekPoolService, validateChatRequest } from 'nestjs-deepseek-pool';
import { ClientTokenGuard } from '../auth/client-token.guard.js';
import { GatewaySettings } from '../config/gateway-settings.js';
import { RequestLog } from '../logging/request-log.js';
import { abortOnClientGone } from './client-abort.js';
import { writeSse } from './sse-writer.js';
import { setTraceHeaders } from './trace-headers.js';

/** `POST /v1/chat/completions`: the OpenAI-compatible endpoint, streaming and not, served by the pool. */
@Controller()
@UseGuards(ClientTokenGuard)
export class ChatCompletionsController {
  constructor(
    private readonly pool: DeepSeekPoolService,
    private readonly settings: GatewaySettings,
    private readonly log: RequestLog,
  ) {}

  @Post(['v1/chat/completions', 'chat/completions'])
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    validateChatRequest(body);
    const signal = abortOnClientGone(request, response);
    if (body.stream === true) return this.stream(body, signal, request, response);
    const result = await this.log.track(request, body, () => this.pool.chat(body, { signal, degrade: this.settings.degrade }));
    setTraceHeaders(response, result.meta);
    return result.data;
  }

  private async stream(body: ChatCompletionRequest, signal: AbortSignal, request: Request, response: Response): Promise<void> {
    const stream = this.pool.stream(body, { signal });
    const meta = await this.log.track(request, body, () => stream.meta);
    setTraceHeaders(response, meta);
    const ending = await writeSse(response, stream);
    this.log.streamEnded(request, meta.keyId, ending);
  }
}
