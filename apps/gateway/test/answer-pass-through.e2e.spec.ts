import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Gateway, startGateway } from './support/gateway-harness.js';

/** A chat completion as an upstream may format it: indented, an escaped character, a number written as 1.0. */
const UPSTREAM_TEXT = `{
  "id": "c1",
  "object": "chat.completion",
  "created": 1733210000,
  "model": "deepseek-v4-flash",
  "choices": [{ "index": 0, "message": { "role": "assistant", "content": "caf\\u00e9" }, "finish_reason": "stop" }],
  "usage": { "prompt_tokens": 3, "completion_tokens": 1.0, "total_tokens": 4 }
}`;

/**
 * A fresh non-streaming answer leaves the gateway as the upstream wrote it (the text the pool parsed it from), not
 * serialized again; over real HTTP, with an upstream of our own that formats its JSON its own way.
 */
describe('the gateway sends a fresh answer as the upstream wrote it (real HTTP)', () => {
  let upstream: Server;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(UPSTREAM_TEXT));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    gateway = await startGateway(
      { keys: [{ key: 'sk-pass-through-000000001', name: 'own' }] },
      { keys: { own: { baseUrl: `http://127.0.0.1:${port}` } } },
    );
  });

  afterAll(async () => {
    await gateway.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('byte for byte, as JSON, with the trace headers', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-deepseek-pool-key')).toBe('own');
    expect(await response.text()).toBe(UPSTREAM_TEXT);
  });
});
