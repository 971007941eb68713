import { expect } from '@jest/globals';
import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { resolveOptions } from '../deepseek-pool.options.js';
import { loadOtelApi, tryImport } from './otel-api.js';
import { resolveTelemetryOptions } from './telemetry-options.js';

describe('telemetry options', () => {
  it('defaults to on, content off, trace context on', () => {
    expect(resolveTelemetryOptions(undefined)).toEqual({
      captureContent: false,
      maxContentChars: 16_384,
      traceContext: true,
      tracerProvider: undefined,
      meterProvider: undefined,
    });
    expect(resolveTelemetryOptions(false)).toBe(false);
  });

  it.each([
    [{ captureContent: 'yes' }, 'telemetry.captureContent'],
    [{ traceContext: 1 }, 'telemetry.traceContext'],
    [{ maxContentChars: 0 }, 'telemetry.maxContentChars'],
  ])('rejects %j naming %s', (telemetry, field) => {
    expect(() => resolveTelemetryOptions(telemetry as never)).toThrow(expect.objectContaining({ field }));
  });

  it('validates the per-key settings and names the field', () => {
    expect(() => resolveOptions({ keys: [{ apiKey: 'sk-aaaaaaaaaaaa1111', traceContext: 'no' as never }] })).toThrow(
      expect.objectContaining({ field: 'keys[0].traceContext' }),
    );
    expect(() => resolveOptions({ keys: [{ apiKey: 'sk-aaaaaaaaaaaa1111', provider: '' }] })).toThrow(
      InvalidOptionsError,
    );
    expect(resolveOptions({ keys: [{ apiKey: 'sk-aaaaaaaaaaaa1111' }] }).keys[0]).toMatchObject({
      provider: 'deepseek',
    });
  });
});

describe('loading @opentelemetry/api', () => {
  it('resolves to undefined, without throwing, when the package cannot be imported', async () => {
    await expect(
      tryImport(() => Promise.reject(new Error("Cannot find package '@opentelemetry/api'"))),
    ).resolves.toBeUndefined();
  });

  it('loads the installed API once', async () => {
    const api = await loadOtelApi();
    expect(typeof api?.trace.getTracer).toBe('function');
    expect(await loadOtelApi()).toBe(api);
  });
});
