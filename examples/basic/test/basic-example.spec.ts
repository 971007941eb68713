// examples/basic, booted as a user would run it (keys from the environment) against the DeepSeek mock on 127.0.0.1.
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DeepSeekMock } from 'nestjs-deepseek-pool-mock';

const KEYS = ['sk-example-basic-primary-0001', 'sk-example-basic-second-0002'];

describe('examples/basic', () => {
  let mock: DeepSeekMock;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    // the first key is revoked: the chat call goes on to the second, readiness stays up on one key
    mock = new DeepSeekMock({ keys: [{ key: KEYS[0], status: 401 }, { key: KEYS[1] }] });
    await mock.start();
    Object.assign(process.env, {
      DEEPSEEK_API_KEY_1: KEYS[0],
      DEEPSEEK_API_KEY_2: KEYS[1],
      DEEPSEEK_BASE_URL: mock.url,
    });
    // imported once the environment is set: forRoot reads it when the module is declared
    const { AppModule } = await import('../src/app.module.js');
    Logger.overrideLogger(['error']);
    app = await NestFactory.create(AppModule);
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await mock.close();
  });

  it('answers POST /chat from the key that works', async () => {
    const response = await fetch(`${url}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { answer: string; keyId: string };
    expect(body.answer).toMatch(/^Mock answer from /);
    expect(body.keyId).toBe('secondary');
  });

  it('is ready with one key of two serving', async () => {
    const response = await fetch(`${url}/health/ready`);
    const body = (await response.json()) as {
      details: Partial<Record<string, { servingKeys: number; totalKeys: number }>>;
    };
    expect([
      response.status,
      body.details['deepseek-pool']?.servingKeys,
      body.details['deepseek-pool']?.totalKeys,
    ]).toEqual([200, 1, 2]);
  });
});
