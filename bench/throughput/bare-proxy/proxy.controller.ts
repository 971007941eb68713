import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { Pool, request } from 'undici';

export const PROXY_SETTINGS = Symbol('PROXY_SETTINGS');

export interface ProxySettings {
  /** The upstream's base URL (the mock). */
  upstreamUrl: string;
  /** The one key every request uses. */
  apiKey: string;
}

/** What the handler sets on the answer: express's response and Fastify's reply both have it. */
interface StatusSetter {
  status(code: number): unknown;
}

/**
 * Forwards chat completions to one key with undici: no pool, no retry, no breaker, no log. The floor a gateway starts
 * from.
 */
@Controller()
export class ProxyController {
  private readonly dispatcher: Pool;
  private readonly headers: Record<string, string>;

  constructor(@Inject(PROXY_SETTINGS) private readonly settings: ProxySettings) {
    this.dispatcher = new Pool(settings.upstreamUrl);
    this.headers = { authorization: `Bearer ${settings.apiKey}`, 'content-type': 'application/json' };
  }

  @Post(['v1/chat/completions', 'chat/completions'])
  @HttpCode(200)
  async create(@Body() body: unknown, @Res({ passthrough: true }) response: StatusSetter): Promise<unknown> {
    const answer = await request(`${this.settings.upstreamUrl}/chat/completions`, {
      dispatcher: this.dispatcher,
      method: 'POST',
      headers: this.headers,
      body: JSON.stringify(body),
    });
    response.status(answer.statusCode);
    return answer.body.json();
  }
}
