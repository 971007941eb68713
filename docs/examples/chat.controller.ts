// docs/examples/chat.controller.ts
import { Body, Controller, HttpCode, type MessageEvent, Post, RequestMethod, Sse } from '@nestjs/common';
import { type ChatCompletion, type ChatCompletionRequest, DeepSeekPoolService } from 'nestjs-deepseek-pool';
import { type Observable, endWith, map } from 'rxjs';

@Controller('chat')
export class ChatController {
  constructor(private readonly pool: DeepSeekPoolService) {}

  /** One completion, as JSON. */
  @Post()
  @HttpCode(200)
  async chat(@Body() body: ChatCompletionRequest): Promise<ChatCompletion> {
    const { data } = await this.pool.chat({ ...body, stream: false });
    return data;
  }

  /**
   * The same, streamed: `text/event-stream`, one `data:` event per chunk, then `data: [DONE]` as OpenAI clients expect.
   */
  @Sse('stream', { method: RequestMethod.POST })
  @HttpCode(200)
  stream(@Body() body: ChatCompletionRequest): Observable<MessageEvent> {
    return this.pool
      .stream({ ...body, stream: true })
      .toObservable()
      .pipe(
        map((chunk) => ({ data: chunk })),
        endWith({ data: '[DONE]' }),
      );
  }
}
