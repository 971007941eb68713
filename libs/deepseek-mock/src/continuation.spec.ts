import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeepSeekMock } from './mock-server.js';
import { RawClient, sseData } from './spec-support.js';

const REPLY = 'Bonjour, ça va? Très bien, merci.';
const REASONING = 'The user greets me in French.';
const ask = { role: 'user', content: 'Say hello' };

describe('continuing a partial answer', () => {
  const mock = new DeepSeekMock({
    keys: [
      { key: 'sk-cont-deepseek-0001', name: 'deepseek', reply: REPLY, reasoning: REASONING },
      { key: 'sk-cont-vllm-000000001', name: 'vllm', reply: REPLY, server: 'vllm' },
      { key: 'sk-cont-cut-0000000001', name: 'cut', reply: REPLY, cutStream: { atByte: 0 } },
    ],
  });
  const client = new RawClient(() => mock.url);

  beforeAll(() => mock.start());
  afterAll(async () => {
    await client.close();
    await mock.close();
  });

  const content = (text: string) =>
    (JSON.parse(text) as { choices: Array<{ message: { content: string; reasoning_content?: string } }> }).choices[0]
      .message;

  it('DeepSeek: chat prefix completion on /beta continues exactly from the prefix', async () => {
    const body = {
      model: 'deepseek-chat',
      messages: [ask, { role: 'assistant', content: 'Bonjour, ça', prefix: true }],
    };
    const res = await client.send('POST', '/beta/chat/completions', 'sk-cont-deepseek-0001', body);
    expect(res.status).toBe(200);
    expect(content(res.text).content).toBe(' va? Très bien, merci.');
  });

  it('DeepSeek: the normal path ignores the prefix flag and answers afresh (the text would repeat)', async () => {
    const body = {
      model: 'deepseek-chat',
      messages: [ask, { role: 'assistant', content: 'Bonjour, ça', prefix: true }],
    };
    for (const path of ['/chat/completions', '/v1/chat/completions']) {
      expect(content((await client.send('POST', path, 'sk-cont-deepseek-0001', body)).text).content).toBe(REPLY);
    }
  });

  it('DeepSeek thinking mode: reasoning_content as prefix continues the reasoning, then the whole content', async () => {
    const body = {
      model: 'deepseek-reasoner',
      stream: true,
      messages: [ask, { role: 'assistant', content: '', reasoning_content: 'The user greets', prefix: true }],
    };
    const res = await client.send('POST', '/beta/chat/completions', 'sk-cont-deepseek-0001', body);
    const deltas = sseData(res.text)
      .filter((d) => d !== '[DONE]')
      .map((d) => (d as { choices: Array<{ delta: Record<string, string | null> }> }).choices[0].delta);
    expect(deltas.map((d) => d['reasoning_content'] ?? '').join('')).toBe(' me in French.');
    expect(deltas.map((d) => d['content'] ?? '').join('')).toBe(REPLY);
  });

  it('DeepSeek thinking mode: once content started, only the rest of the content', async () => {
    const body = {
      model: 'deepseek-reasoner',
      messages: [ask, { role: 'assistant', content: 'Bonjour,', reasoning_content: REASONING, prefix: true }],
    };
    const message = content((await client.send('POST', '/beta/chat/completions', 'sk-cont-deepseek-0001', body)).text);
    expect(message).toEqual({ role: 'assistant', content: ' ça va? Très bien, merci.' });
  });

  it('usage counts the prefix as prompt and only the continuation as completion', async () => {
    const body = {
      model: 'deepseek-chat',
      messages: [ask, { role: 'assistant', content: 'Bonjour, ça', prefix: true }],
    };
    const { usage } = JSON.parse(
      (await client.send('POST', '/beta/chat/completions', 'sk-cont-deepseek-0001', body)).text,
    ) as { usage: Record<string, number> };
    expect(usage).toMatchObject({
      prompt_tokens: Math.ceil(9 / 4) + Math.ceil(11 / 4),
      completion_tokens: Math.ceil(' va? Très bien, merci.'.length / 4),
    });
  });

  it('vLLM: continue_final_message with add_generation_prompt false continues the last assistant message', async () => {
    const body = {
      model: 'deepseek-chat',
      continue_final_message: true,
      add_generation_prompt: false,
      messages: [ask, { role: 'assistant', content: 'Bonjour, ça va?' }],
    };
    expect(content((await client.chat('sk-cont-vllm-000000001', body)).text).content).toBe(' Très bien, merci.');
  });

  it('vLLM: refuses continue_final_message with add_generation_prompt, has no /beta, ignores prefix', async () => {
    const both = {
      model: 'deepseek-chat',
      continue_final_message: true,
      messages: [ask, { role: 'assistant', content: 'Bonjour' }],
    };
    expect((await client.chat('sk-cont-vllm-000000001', both)).status).toBe(400);
    const prefix = { model: 'deepseek-chat', messages: [ask, { role: 'assistant', content: 'Bonjour', prefix: true }] };
    expect((await client.send('POST', '/beta/chat/completions', 'sk-cont-vllm-000000001', prefix)).status).toBe(404);
    expect(content((await client.chat('sk-cont-vllm-000000001', prefix)).text).content).toBe(REPLY);
  });

  it('DeepSeek ignores continue_final_message', async () => {
    const body = {
      model: 'deepseek-chat',
      continue_final_message: true,
      add_generation_prompt: false,
      messages: [ask, { role: 'assistant', content: 'Bonjour' }],
    };
    expect(content((await client.chat('sk-cont-deepseek-0001', body)).text).content).toBe(REPLY);
  });

  it('cutStream.atByte cuts the body at that byte, mid-line and mid-UTF-8 character', async () => {
    const body = { model: 'deepseek-chat', stream: true, messages: [ask] };
    const whole = Buffer.from((await client.send('POST', '/chat/completions', 'sk-cont-deepseek-0001', body)).text);
    const at = whole.indexOf(Buffer.from('ç')) + 1;
    mock.setKey('cut', { cutStream: { atByte: at } });
    const res = await client.open('POST', '/chat/completions', 'sk-cont-cut-0000000001', body);
    const received: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of res.body) received.push(chunk as Buffer);
      })(),
    ).rejects.toThrow();
    const bytes = Buffer.concat(received);
    expect(bytes.length).toBe(at);
    expect(bytes.at(-1)).toBe(Buffer.from('ç')[0]); // the first byte of a two-byte character, inside a data: line
    expect(mock.stats().keys['cut'].streams.cut).toBe(1);
  });
});
