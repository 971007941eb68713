import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type DynamicModule,
  type ExceptionFilter,
  Headers,
  HttpCode,
  Inject,
  Post,
  UseInterceptors,
} from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Response } from 'express';
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  Degradable,
  DeepSeekDegradationInterceptor,
  DeepSeekPoolError,
  DeepSeekPoolModule,
  DeepSeekPoolService,
  type PoolMetricsRecorder,
  type PoolResult,
} from 'nestjs-deepseek-pool';
import { DeepSeekMock, type MockScenario } from 'nestjs-deepseek-pool-mock';
import type { Observable } from 'rxjs';
import { Agent, type Dispatcher, request } from 'undici';
import { SseResponseInterceptor } from './sse-response.interceptor.js';

export const PRO_KEY = 'sk-e2e-pro-0000000000001';
export const FLASH_KEY = 'sk-e2e-flash-000000000001';

/** The mock: one key per model (the pool routes pro requests to `pro` only, flash requests to `flash` only). */
const SCENARIO: MockScenario = {
  keys: [
    { key: PRO_KEY, name: 'pro' },
    { key: FLASH_KEY, name: 'flash' },
  ],
};

/** Maps pool errors to HTTP: their status (400, 422...) or 503. */
@Catch(DeepSeekPoolError)
class PoolErrorFilter implements ExceptionFilter {
  catch(error: DeepSeekPoolError, host: ArgumentsHost): void {
    const status = (error as { status?: unknown }).status;
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(typeof status === 'number' ? status : 503)
      .json({ error: { message: error.message, code: error.code } });
  }
}

/** An OpenAI-compatible chat route as an app would write it: the handler calls the pool; the interceptor degrades. */
@Controller('v1')
@UseInterceptors(SseResponseInterceptor, DeepSeekDegradationInterceptor)
class ChatController {
  constructor(@Inject(DeepSeekPoolService) private readonly pool: DeepSeekPoolService) {}

  @Post('chat/completions')
  @HttpCode(200)
  @Degradable()
  chat(@Body() body: ChatCompletionRequest): Promise<ChatCompletion> | Observable<ChatCompletionChunk> {
    return this.answer(body);
  }

  /** Same route, but its fallback is a 200 assistant message. */
  @Post('friendly/chat/completions')
  @HttpCode(200)
  @Degradable({ fallback: { as: 'message' } })
  friendly(@Body() body: ChatCompletionRequest): Promise<ChatCompletion> | Observable<ChatCompletionChunk> {
    return this.answer(body);
  }

  /** No `@Degradable()`: the interceptor leaves it alone; the handler asks the pool to degrade by itself. */
  @Post('direct')
  @HttpCode(200)
  direct(@Body() body: ChatCompletionRequest, @Headers('x-user') user?: string): Promise<PoolResult<ChatCompletion>> {
    return this.pool.chat(body, { degrade: true, tenant: user });
  }

  private answer(body: ChatCompletionRequest): Promise<ChatCompletion> | Observable<ChatCompletionChunk> {
    return body.stream ? this.pool.stream(body).toObservable() : this.pool.chat(body).then((result) => result.data);
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The JSON body (undefined for SSE). */
  json: unknown;
}

export interface DegradationApp {
  mock: DeepSeekMock;
  app: INestApplication;
  /** Every `metrics.degraded(tier, model)` call. */
  degraded: Array<[string, string]>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  /** Chat requests the mock received, over every key. */
  upstreamChats(): number;
  close(): Promise<void>;
}

/** The mock, and a Nest app on 127.0.0.1 with the pool (over the mock) and the given degradation module. */
export async function startDegradationApp(degradation: DynamicModule): Promise<DegradationApp> {
  const mock = new DeepSeekMock(SCENARIO);
  const { url } = await mock.start();
  const degraded: Array<[string, string]> = [];
  const metrics: PoolMetricsRecorder = {
    attempt: () => undefined,
    request: () => undefined,
    retry: () => undefined,
    usage: () => undefined,
    degraded: (tier, model) => degraded.push([tier, model]),
  };
  const moduleRef = await Test.createTestingModule({
    imports: [
      DeepSeekPoolModule.forRoot({
        keys: [
          { id: 'pro', apiKey: PRO_KEY, baseUrl: url, models: ['deepseek-v4-pro', 'deepseek-v4-pro-retired'] },
          { id: 'flash', apiKey: FLASH_KEY, baseUrl: url, models: ['deepseek-v4-flash'] },
        ],
        retry: { maxWaitForKeyMs: 0 },
        health: { validateOnStart: false },
        logger: false,
        metrics,
        isGlobal: true,
      }),
      degradation,
    ],
    controllers: [ChatController],
  }).compile();
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new PoolErrorFilter());
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const agent = new Agent();

  return {
    mock,
    app,
    degraded,
    async post(path, body, headers = {}) {
      const response = await request(`${base}${path}`, {
        method: 'POST' as Dispatcher.HttpMethod,
        dispatcher: agent,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const text = await response.body.text();
      const isJson = String(response.headers['content-type']).startsWith('application/json');
      return {
        status: response.statusCode,
        headers: response.headers,
        text,
        json: isJson ? JSON.parse(text) : undefined,
      };
    },
    upstreamChats: () => mock.stats().totalRequests.chat,
    async close() {
      await agent.close();
      await app.close();
      await mock.close();
    },
  };
}

/** The `data:` payloads of an SSE body, in order (`[DONE]` as the string). */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}
