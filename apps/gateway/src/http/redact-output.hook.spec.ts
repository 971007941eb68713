import { describe, expect, it } from '@jest/globals';
import Fastify from 'fastify';
import { Redactor } from 'nestjs-deepseek-pool';
import { redactOutputHook } from './redact-output.hook.js';

const SECRET = 'sk-live-0123456789abcdef';

/** A Fastify app on 127.0.0.1 with the hook and one route per kind of answer, each holding the secret. */
async function app() {
  const fastify = Fastify({ logger: false });
  fastify.addHook('onSend', redactOutputHook(new Redactor([SECRET])));
  fastify.get('/object', () => ({ note: `key ${SECRET}` }));
  fastify.get('/text', (_request, reply) => reply.type('text/plain').send(`key ${SECRET}`));
  fastify.get('/buffer', (_request, reply) =>
    reply.type('application/octet-stream').send(Buffer.from(`key ${SECRET}`)),
  );
  fastify.get('/escaped', () => ({ note: `key ${JSON.stringify({ nested: SECRET })}` }));
  fastify.get('/pass-through', { config: { passThrough: true } }, () => ({ note: `key ${SECRET}` }));
  fastify.get('/clean', () => ({ note: 'nothing secret' }));
  const base = await fastify.listen({ port: 0, host: '127.0.0.1' });
  const get = async (path: string): Promise<{ status: number; body: string }> => {
    const answer = await fetch(`${base}${path}`);
    return { status: answer.status, body: await answer.text() };
  };
  return { get, close: () => fastify.close() };
}

describe('redactOutputHook', () => {
  it.each([
    ['an object serialized by Fastify', '/object'],
    ['a text answer', '/text'],
    ['a Buffer', '/buffer'],
    ['a secret quoted inside a JSON string', '/escaped'],
  ])('redacts %s', async (_case, url) => {
    // Arrange
    const server = await app();

    // Act
    const answer = await server.get(url);

    // Assert
    expect(answer.status).toBe(200);
    expect(answer.body).not.toContain(SECRET);
    expect(answer.body).toContain('key ');
    await server.close();
  });

  it('leaves a pass-through route and an answer without a secret byte for byte', async () => {
    // Arrange
    const server = await app();

    // Act
    const passed = await server.get('/pass-through');
    const clean = await server.get('/clean');

    // Assert
    expect(JSON.parse(passed.body)).toEqual({ note: `key ${SECRET}` });
    expect(clean.body).toBe('{"note":"nothing secret"}');
    await server.close();
  });

  it('redacts the 404 of a route that does not exist (the URL echoed back)', async () => {
    // Arrange
    const server = await app();

    // Act
    const answer = await server.get(`/missing/${SECRET}`);

    // Assert
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain(SECRET);
    await server.close();
  });
});
