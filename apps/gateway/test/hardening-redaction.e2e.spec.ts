import { connect } from 'node:net';
import fc from 'fast-check';
import { KEY_ECHO_FORMS, type KeyBehaviour } from 'nestjs-deepseek-pool-mock';
import { leakedRuns } from '../../../libs/deepseek-pool/src/redaction/secret-echoes.fixture.js';
import { must } from '../../../test/support/must.js';
import { loadClientsConfig } from '../src/clients/clients-config.js';
import { type Gateway, type GatewayOptions, startGateway } from './support/gateway-harness.js';

/** Regression tests of issue 13 part B, on real HTTP against a mock upstream that misbehaves. */
const KEY = 'sk-echo-0123456789abcdefghijklmnop'; // 34 characters
const SHORT_KEY = 'sk-32chars-0123456789abcdefghijk'; // 32 characters: the malformed-body quote held it whole
const CLIENT_TOKEN = 'client-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const SECRETS = [KEY, SHORT_KEY, CLIENT_TOKEN, ADMIN_TOKEN];
const CHAT = { model: 'deepseek-v4-flash', messages: [{ role: 'user', content: 'hi' }] };
const AUTH = { authorization: `Bearer ${CLIENT_TOKEN}`, 'content-type': 'application/json' };

let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(behaviour: KeyBehaviour, key = KEY, options: GatewayOptions = {}): Promise<Gateway> {
  gateway = await startGateway(
    { defaults: { latencyMs: 0 }, keys: [{ key, name: 'k', ...behaviour }] },
    { tokens: [CLIENT_TOKEN], adminToken: ADMIN_TOKEN, pool: { retry: { maxAttempts: 1 } }, ...options },
  );
  return gateway;
}

/** The gateway of the running test. */
const current = (): Gateway => must(gateway, 'a gateway started by start()');

async function chat(body: object = CHAT): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${current().url}/v1/chat/completions`, {
    method: 'POST',
    headers: AUTH,
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/**
 * A POST announcing `contentLength` bytes that sends only its first few, on a raw socket: what came back, and after how
 * long the gateway closed the connection (undefined if it had not within `waitMs`).
 */
async function rawPost(
  headers: Record<string, string>,
  contentLength: number,
  waitMs: number,
): Promise<{ head: string; closedWithinMs?: number }> {
  const socket = connect(Number(new URL(current().url).port), '127.0.0.1');
  let head = '';
  socket.on('data', (data) => (head += data.toString()));
  const startedMs = Date.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - startedMs)));
  const lines = Object.entries({
    Host: 'x',
    'Content-Type': 'application/json',
    'Content-Length': String(contentLength),
    ...headers,
  }).map(([name, value]) => `${name}: ${value}`);
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n{"model":`);
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), waitMs).unref());
  const closedWithinMs = await Promise.race([closed, timeout]);
  socket.destroy();
  return { head, closedWithinMs };
}

/** Every run of 12+ characters of any secret found in what the client received and in every log line. */
function leaks(received: string): string[] {
  const everything = `${received}\n${current().logs.lines.join('\n')}`;
  return SECRETS.flatMap((secret) => leakedRuns(everything, secret));
}

describe('defect 3: key text in SSE error events', () => {
  it('mid-stream: the stream_interrupted event carries no key text', async () => {
    await start({ echoKeyEvent: { afterChunks: 1 } });
    const { status, text } = await chat({ ...CHAT, stream: true });
    expect(status).toBe(200);
    expect(text).toContain('"code":"stream_interrupted"');
    expect(text).toContain('quota exceeded for api key');
    expect(leaks(text)).toEqual([]);
  });

  it('before content, degradation off: the 502 body carries no key text', async () => {
    await start({ echoKeyEvent: { afterChunks: 0, form: 'json-escaped' } });
    const { status, text } = await chat({ ...CHAT, stream: true });
    expect(status).toBe(502);
    expect(text).toContain('quota exceeded for api key');
    expect(leaks(text)).toEqual([]);
  });
});

describe('defect 4: redaction before truncation, of any run, however escaped', () => {
  it.each<[string, KeyBehaviour['echoKey'], number]>([
    [
      'a 500 text body whose key straddles the old 200-character cut',
      { status: 500, body: 'text', paddingChars: 140 },
      502,
    ],
    ['a 400 echoing a near-copy (key minus its last char)', { status: 400, form: 'near' }, 400],
    ['a 400 echoing the key URL-encoded', { status: 400, form: 'url-encoded' }, 400],
    ['a 500 echoing the key as JSON \\u00xx escapes', { status: 500, form: 'json-escaped' }, 502],
  ])('%s', async (_, echoKey, expected) => {
    await start({ echoKey });
    const { status, text } = await chat();
    expect(status).toBe(expected);
    expect(leaks(text)).toEqual([]);
  });

  it('the "malformed body" message never quotes raw upstream bytes (a 32-char key at the start of a 200 body)', async () => {
    await start({ echoKey: { status: 200, body: 'text' } }, SHORT_KEY);
    const { status, text } = await chat();
    expect(status).toBe(502);
    expect(text).toContain('not valid JSON');
    expect(leaks(text)).toEqual([]);
  });

  it('bearer tokens the gateway knows are redacted too (a client echoing one in its model name)', async () => {
    await start({});
    const { status, text } = await chat({ ...CHAT, model: `gpt-${ADMIN_TOKEN}` });
    expect(status).toBe(400);
    expect(leaks(text)).toEqual([]);
  });
});

describe('client tokens of GATEWAY_CLIENTS', () => {
  it('a token given in plain is redacted like GATEWAY_TOKENS (a client echoing it in its model name)', async () => {
    const plain = 'gwc-PLAINzq81vXw7Lr52Tk9Qm3hY'; // shares no 12-character run with the other secrets
    const env = { GATEWAY_CLIENTS: JSON.stringify([{ name: 'web', token: plain }]) };
    await start({}, KEY, { clients: loadClientsConfig(env, {}, () => '') });
    const response = await fetch(`${current().url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...AUTH, authorization: `Bearer ${plain}` },
      body: JSON.stringify({ ...CHAT, model: `gpt-${plain}` }),
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(current().logs.lines.join('\n')).toContain('gpt-'); // the model name is logged: redacted, not dropped
    expect(leakedRuns(`${text}\n${current().logs.lines.join('\n')}`, plain)).toEqual([]);
  });
});

describe('defect 5: client-chosen model names', () => {
  it('a model name over 256 characters is a 400 before any upstream call', async () => {
    await start({});
    const { status, text } = await chat({ ...CHAT, model: 'm'.repeat(1024 * 1024 - 100) });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { type: 'invalid_request_error', param: 'model' } });
    expect(current().mock.stats().totalRequests.chat).toBe(0);
  });

  it('metrics label only known models; every other name is "other", and log fields stay short', async () => {
    await start({});
    const names = Array.from({ length: 20 }, (_, i) => `made-up-${i}-${'x'.repeat(240)}`);
    for (const model of names) expect((await chat({ ...CHAT, model })).status).toBe(400);
    expect((await chat()).status).toBe(200);
    const metrics = await (await fetch(`${current().url}/metrics`)).text();
    for (const model of names) expect(metrics).not.toContain(model);
    expect(metrics).toMatch(/deepseek_pool_requests_total\{model="other",outcome="error",stream="false"\} 20/);
    expect(metrics).toMatch(
      /deepseek_pool_requests_total\{model="deepseek-v4-flash",outcome="success",stream="false"\} 1/,
    );
  });
});

describe('defect 9: the token is checked before the body is read', () => {
  it('an unauthenticated 9 MB POST gets its 401 after its headers, and the connection closes unread', async () => {
    await start({});
    const { head, closedWithinMs } = await rawPost({}, 9 * 1024 * 1024, 3_000);
    expect(closedWithinMs).toBeDefined();
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(head.toLowerCase()).toContain('connection: close');
  });

  it('an authenticated body that trickles is cut at the request timeout (408), checked every second', async () => {
    await start({}, KEY, { requestTimeoutMs: 1_000 });
    const { head, closedWithinMs } = await rawPost({ Authorization: `Bearer ${CLIENT_TOKEN}` }, 1_000, 5_000);
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedWithinMs).toBeLessThan(3_000);
  });

  it('answers carry no X-Powered-By header', async () => {
    await start({});
    const { headers } = await chat();
    expect(headers.get('x-powered-by')).toBeNull();
  });
});

describe('property: whatever the upstream echoes, nothing the gateway sends or logs holds 12 characters of a secret', () => {
  it('over responses, SSE events, logs, metrics, status events and admin output', async () => {
    await start({});
    const echo = fc.oneof(
      fc.record({
        echoKey: fc.record({
          status: fc.constantFrom(200 as const, 400 as const, 500 as const),
          body: fc.constantFrom('json' as const, 'text' as const),
          form: fc.constantFrom(...KEY_ECHO_FORMS),
          paddingChars: fc.nat({ max: 300 }),
        }),
      }),
      fc.record({
        echoKeyEvent: fc.record({ afterChunks: fc.nat({ max: 4 }), form: fc.constantFrom(...KEY_ECHO_FORMS) }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(echo, fc.boolean(), async (behaviour, stream) => {
        current().mock.setKey('k', { echoKey: null, echoKeyEvent: null, ...behaviour });
        const { text } = await chat({ ...CHAT, stream: stream || 'echoKeyEvent' in behaviour });
        const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
        const outputs = await Promise.all(
          ['/metrics', '/status/events', '/admin/keys', '/admin/keys/export', '/health/ready'].map(async (path) =>
            (await fetch(`${current().url}${path}`, { headers: admin })).text(),
          ),
        );
        expect(leaks([text, ...outputs].join('\n'))).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});
