import { otelRequested, tracedPath } from './otel-env.js';

describe('otelRequested: the standard variables decide whether the gateway starts the SDK', () => {
  it.each<[NodeJS.ProcessEnv, boolean]>([
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'gateway', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_METRICS_EXPORTER: 'otlp' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: ' TRUE ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'false' }, true],
  ])('%j -> %s', (env, expected) => {
    expect(otelRequested(env)).toBe(expected);
  });
});

describe('tracedPath: API requests get a server span, monitoring traffic does not', () => {
  it.each<[string | undefined, boolean]>([
    ['/v1/chat/completions', true],
    ['/chat/completions', true],
    ['/v1/models', true],
    ['/admin/keys', true],
    ['/metrics', false],
    ['/metrics?x=1', false],
    ['/health/ready', false],
    ['/status', false],
    ['/status/snapshot', false],
    ['/statusx', true],
    [undefined, true],
  ])('%s -> %s', (url, expected) => {
    expect(tracedPath(url)).toBe(expected);
  });
});
