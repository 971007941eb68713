import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { InterceptorsConsumer } from '@nestjs/core/interceptors/interceptors-consumer.js';
import { type Gateway, startGateway } from './support/gateway-harness.js';

const TOKEN = 'fastify-adapter-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ASK = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'Hi' }] };
/** The harness's GATEWAY_BODY_LIMIT. */
const LIMIT_BYTES = 1024 * 1024;

/** A JSON chat request of exactly `bytes` bytes (the padding is in a field the gateway ignores). */
function askOfSize(bytes: number): string {
  const empty = JSON.stringify({ ...ASK, pad: '' });
  return JSON.stringify({ ...ASK, pad: 'x'.repeat(bytes - empty.length) });
}

/** Sends raw bytes and returns all the server sent back before it closed the connection. */
async function rawExchange(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (part: Buffer) => (received += part.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(request);
  await once(socket, 'close');
  return received;
}

/**
 * What running on Nest's Fastify adapter guarantees, each checked over real HTTP: the platform, the body read by the
 * gateway after the guards (never by Fastify's own parsers), and the wire kept as it was on express.
 */
describe('the gateway on Fastify (real HTTP)', () => {
  let gateway: Gateway;
  const chatRequests = (): number => gateway.mock.stats().keys.k.requests.chat;
  const post = (body: string, headers: Record<string, string>, path = '/v1/chat/completions') =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    gateway = await startGateway(
      { defaults: { latencyMs: 1 }, keys: [{ key: 'sk-fastify-adapter-0001', name: 'k' }] },
      {
        tokens: [TOKEN],
      },
    );
  });

  afterAll(async () => {
    await gateway.close();
  });

  it("serves on Fastify's HTTP adapter", () => {
    expect(gateway.app.getHttpAdapter().getType()).toBe('fastify');
  });

  it('gives JSON a parser entry of its own (Fastify caches that lookup, never the catch-all one)', () => {
    const fastify = gateway.app.getHttpAdapter().getInstance();
    expect(fastify.hasContentTypeParser('application/json')).toBe(true);
  });

  it("serves a chat completion without Nest's interceptor pipeline (no interceptor on the route, none global)", async () => {
    // Nest builds an interceptor context (then the rxjs pipeline) only for a route with at least one interceptor
    const pipeline = jest.spyOn(InterceptorsConsumer.prototype, 'createContext');
    try {
      const answer = await post(JSON.stringify(ASK), AUTH);

      expect(answer.status).toBe(200);
      expect(pipeline).not.toHaveBeenCalled();
    } finally {
      pipeline.mockRestore();
    }
  });

  it('refuses a body one byte over GATEWAY_BODY_LIMIT ("1mb") with 413 in the OpenAI shape, before any upstream call', async () => {
    const before = chatRequests();
    const response = await post(askOfSize(LIMIT_BYTES + 1), AUTH);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { message: 'The request body is too large', type: 'invalid_request_error', param: null, code: null },
    });
    expect(chatRequests()).toBe(before);
  });

  it('takes a body of exactly GATEWAY_BODY_LIMIT bytes', async () => {
    const response = await post(askOfSize(LIMIT_BYTES), AUTH);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: 'chat.completion' });
  });

  it.each([
    ['invalid JSON', '{"model":', 'application/json'],
    ['a form body', 'model=deepseek-v4-flash', 'application/x-www-form-urlencoded'],
    ['a text body', 'hello', 'text/plain'],
  ])('reads no body before the token check: %s without a token gets 401', async (_case, body, type) => {
    const response = await post(body, { 'content-type': type });
    expect(response.status).toBe(401);
    expect(response.headers.get('connection')).toBe('close');
  });

  it.each([
    ['invalid JSON', '{"model":', 'application/json', 400, 'The request body is not valid JSON'],
    ['a text body', 'hello', 'text/plain', 400, 'Invalid chat request: "body" must be a JSON object'],
    ['an unsupported charset', '{}', 'application/json; charset=latin1', 415, 'unsupported charset "LATIN1"'],
  ])('answers %s with a token in the OpenAI shape, as body-parser did', async (_case, body, type, status, message) => {
    const response = await post(body, { ...AUTH, 'content-type': type });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { message, type: 'invalid_request_error' } });
  });

  it('refuses a malformed Content-Type (no type/subtype) with 415 before the token check, its body unread', async () => {
    // The one answer that changed: on express the request reached the guard (401) or the validation (400)
    const response = await post('{}', { 'content-type': 'json' });
    expect(response.status).toBe(415);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('matches routes as express did: any case, with a trailing slash', async () => {
    const response = await post(JSON.stringify(ASK), AUTH, '/V1/Chat/Completions/');
    expect(response.status).toBe(200);
  });

  it("keeps Node's 5 s keep-alive timeout and sends no ETag", async () => {
    const response = await post(JSON.stringify(ASK), AUTH);
    expect(response.headers.get('keep-alive')).toBe('timeout=5');
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
  });

  it("answers a malformed request as Node does (400, no body), not with Fastify's JSON error", async () => {
    const port = Number(new URL(gateway.url).port);
    const answer = await rawExchange(port, 'NOT A REQUEST\r\n\r\n');
    expect(answer).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
});
