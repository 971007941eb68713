// docs/examples/quick-start.ts
import { Injectable, Module } from '@nestjs/common';
import { DeepSeekPoolModule, DeepSeekPoolService } from 'nestjs-deepseek-pool';

@Module({ imports: [DeepSeekPoolModule.forRoot({ keys: process.env.DEEPSEEK_API_KEYS ?? '', isGlobal: true })] })
export class AppModule {}

@Injectable()
export class Answers {
  constructor(private readonly pool: DeepSeekPoolService) {}

  async ask(question: string): Promise<string> {
    const { data, meta } = await this.pool.chat({
      model: 'deepseek-v4-flash',
      messages: [{ role: 'user', content: question }],
    });
    console.log(`served by ${meta.keyId} after ${meta.attempts} attempt(s)`); // a key id, never the key
    const content = data.choices[0]?.message.content; // DeepSeek's body, unchanged
    return typeof content === 'string' ? content : '';
  }

  stream(question: string) {
    return this.pool.stream({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: question }] }); // for await, or toObservable()
  }
}
