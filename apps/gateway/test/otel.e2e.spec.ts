import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { collect, waitForMatch } from './support/child-output.js';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';

const root = resolve(import.meta.dirname, '../../..');
const API_KEY = 'sk-otel-e2e-aaaaaaaaaaaa1111';
const PROMPT = 'a prompt that must not be exported';
const SERVER = 2;
const INTERNAL = 1;
const CLIENT = 3;

const USAGE = {
  prompt_tokens: 7,
  completion_tokens: 1,
  total_tokens: 8,
  prompt_cache_hit_tokens: 0,
  prompt_cache_miss_tokens: 7,
};
const chunk = (delta: object, extra: object = {}) =>
  `data: ${JSON.stringify({ id: 'cmpl-e2e', object: 'chat.completion.chunk', model: 'deepseek-v4-flash', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;

/** A one-route upstream that answers every chat completion (streamed when asked) and remembers the headers it got. */
async function startUpstream(): Promise<{ url: string; headers: IncomingHttpHeaders[]; server: Server }> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    headers.push(request.headers);
    let body = '';
    request.on('data', (part: Buffer) => (body += part.toString()));
    request.on('end', () => {
      if ((JSON.parse(body) as { stream?: boolean }).stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(
          chunk({ role: 'assistant', content: '' }) +
            chunk({ content: 'hello' }) +
            chunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: USAGE }) +
            'data: [DONE]\n\n',
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'cmpl-e2e',
          object: 'chat.completion',
          model: 'deepseek-v4-flash',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
          usage: USAGE,
        }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, headers, server };
}

/** The compiled gateway, configured by the standard OTEL_* variables only, exporting to a real OTLP/HTTP receiver. */
describe.each(['http/protobuf', 'http/json'])('gateway OpenTelemetry over OTLP %s', (protocol) => {
  let gateway: ChildProcess | undefined;
  let receiver: OtlpReceiver;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let dir: string;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'libs/deepseek-pool', 'libs/deepseek-mock', 'apps/gateway'], {
      cwd: root,
      stdio: 'ignore',
    });
  }, 120_000);

  beforeEach(async () => {
    receiver = await new OtlpReceiver().start();
    upstream = await startUpstream();
    dir = mkdtempSync(join(tmpdir(), 'gateway-otel-'));
  });

  afterEach(async () => {
    // Stopped before the receiver, so its last flush at shutdown (OtelShutdown) still lands.
    const child = gateway;
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    upstream.server.closeAllConnections();
    upstream.server.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continues the client traceparent: HTTP server span, pool call span, attempt span, one trace id; GenAI and pool metrics; no secret, no content', async () => {
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        keys: [{ id: 'e2e', apiKey: API_KEY, baseUrl: upstream.url }],
        health: { probe: false, validateOnStart: false },
      }),
    );
    const env = {
      ...process.env,
      PORT: '0',
      DEEPSEEK_API_KEYS: '',
      GATEWAY_CONFIG: config,
      GATEWAY_ALLOW_ANONYMOUS: 'true',
      NO_COLOR: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_SERVICE_NAME: 'gateway-e2e',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      OTEL_LOGS_EXPORTER: 'none',
    };
    gateway = spawn(process.execPath, ['apps/gateway/dist/main.js'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(gateway);
    const url = await waitForMatch(output, /Gateway listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    expect(output.text).toContain('OpenTelemetry on');

    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpanId = '00f067aa0ba902b7';
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${clientSpanId}-01` },
      body: JSON.stringify({ model: 'deepseek-v4-flash', messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.status).toBe(200);

    const spans = (
      await receiver.waitFor(
        (received) =>
          received.some((span) => span.kind === SERVER) &&
          received.some((span) => span.kind === CLIENT && span.traceId === traceId),
      )
    ).filter((span) => span.traceId === traceId);
    const server = only(spans, (span) => span.kind === SERVER);
    const call = only(spans, (span) => span.kind === INTERNAL && span.name === 'chat deepseek-v4-flash');
    const attempt = only(spans, (span) => span.kind === CLIENT && span.name === 'chat deepseek-v4-flash');
    expect(server.parentSpanId).toBe(clientSpanId);
    expect(receiver.spans.filter((span) => span.kind === SERVER && span.traceId !== traceId)).toEqual([]);
    expect(server.attributes['http.request.method'] ?? server.attributes['http.method']).toBe('POST');
    expect(server.service).toBe('gateway-e2e');
    expect(call.parentSpanId).toBe(server.spanId);
    expect(call.scope).toBe('nestjs-deepseek-pool');
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'deepseek',
      'gen_ai.response.id': 'cmpl-e2e',
      'gen_ai.usage.input_tokens': 7,
      'deepseek_pool.key.id': 'e2e',
    });
    expect(attempt.parentSpanId).toBe(call.spanId);
    expect(attempt.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'deepseek_pool.attempt': 1,
      'deepseek_pool.outcome': 'success',
    });
    expect(upstream.headers[0].traceparent).toBe(`00-${traceId}-${attempt.spanId}-01`);
    expect(
      receiver.posts.every((post) =>
        post.endsWith(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf'),
      ),
    ).toBe(true);

    // A streamed request in a trace of its own: the pool's stream span beneath its server span, with its first-chunk
    // time.
    const streamTraceId = '5bf92f3577b34da6a3ce929d0e0e4737';
    const streamed = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${streamTraceId}-${clientSpanId}-01` },
      body: JSON.stringify({ model: 'deepseek-v4-flash', stream: true, messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(await streamed.text()).toContain('hello');
    const streamSpans = (
      await receiver.waitFor((received) => received.filter((span) => span.traceId === streamTraceId).length >= 3)
    ).filter((span) => span.traceId === streamTraceId);
    const streamServer = only(streamSpans, (span) => span.kind === SERVER);
    const streamCall = only(streamSpans, (span) => span.kind === INTERNAL);
    expect(streamCall.parentSpanId).toBe(streamServer.spanId);
    expect(streamCall.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 1 });
    expect(typeof streamCall.attributes['gen_ai.response.time_to_first_chunk']).toBe('number');
    expect(only(streamSpans, (span) => span.kind === CLIENT).parentSpanId).toBe(streamCall.spanId);

    await receiver.waitForMetric('gen_ai.client.operation.duration');
    await receiver.waitForMetric('gen_ai.client.operation.time_to_first_chunk');
    await receiver.waitForMetric('deepseek_pool.account.in_flight');

    const exported = JSON.stringify(receiver.spans) + receiver.metricBodies.join('');
    expect(exported).not.toContain(API_KEY);
    expect(exported).not.toContain(PROMPT);
  }, 60_000);
});

function only(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1)
    throw new Error(
      `expected one span, found ${found.length} in ${JSON.stringify(spans.map((span) => [span.name, span.kind]))}`,
    );
  return found[0];
}
