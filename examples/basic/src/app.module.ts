// examples/basic: a Nest app with a pool of two DeepSeek keys, one chat route and health routes. Copy src/ into a
// project with nestjs-deepseek-pool, @nestjs/common, @nestjs/core, @nestjs/platform-express, @nestjs/terminus,
// reflect-metadata and rxjs (tsconfig: experimentalDecorators, emitDecoratorMetadata, module nodenext), set
// DEEPSEEK_API_KEY_1 and DEEPSEEK_API_KEY_2 (unset: the app stops at start naming the key), run main.ts, then:
//   curl -d '{"model":"deepseek-v4-flash","messages":[{"role":"user","content":"Hi"}]}' \
//     -H 'content-type: application/json' localhost:3000/chat
//   curl localhost:3000/health/ready
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { type ChatCompletionRequest, DeepSeekPoolModule, DeepSeekPoolService } from 'nestjs-deepseek-pool';
import { DeepSeekPoolHealthController, DeepSeekPoolHealthModule } from 'nestjs-deepseek-pool/health';

@Controller('chat')
export class ChatController {
  constructor(private readonly pool: DeepSeekPoolService) {}

  /** One completion on whichever key is healthiest; a failed attempt is retried on another key. */
  @Post()
  @HttpCode(200)
  async chat(@Body() body: ChatCompletionRequest) {
    const { data, meta } = await this.pool.chat({ ...body, stream: false });
    return { answer: data.choices[0]?.message.content, keyId: meta.keyId, attempts: meta.attempts };
  }
}

@Module({
  imports: [
    DeepSeekPoolModule.forRoot({
      keys: [
        { id: 'primary', apiKey: process.env.DEEPSEEK_API_KEY_1 ?? '' },
        { id: 'secondary', apiKey: process.env.DEEPSEEK_API_KEY_2 ?? '' },
      ],
      defaultBaseUrl: process.env.DEEPSEEK_BASE_URL, // unset: https://api.deepseek.com
    }),
    DeepSeekPoolHealthModule, // needs @nestjs/terminus
  ],
  controllers: [ChatController, DeepSeekPoolHealthController], // GET /health/live, GET /health/ready
})
export class AppModule {}
