import type { NodeSDK } from '@opentelemetry/sdk-node';
import { otelRequested, tracedPath } from './otel-env.js';

let sdk: NodeSDK | undefined;

/**
 * Starts the official OpenTelemetry Node SDK when the standard OTEL_* variables ask for it: exporters, protocol
 * (`http/protobuf`, `http/json`, `grpc`), service name and batch / export intervals all come from the environment.
 * The HTTP instrumentation opens a server span per request that continues the client's `traceparent`; the pool's
 * spans nest beneath it (scrapes, health checks and the status page get none). Call before the HTTP server modules
 * load. Without the variables nothing is even imported.
 */
export async function startOtel(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (sdk !== undefined || !otelRequested(env)) return sdk !== undefined;
  const [{ NodeSDK }, { HttpInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
  ]);
  sdk = new NodeSDK({
    instrumentations: [new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => !tracedPath(request.url) })],
  });
  sdk.start();
  return true;
}

/** Flushes and stops the SDK, if started (at application shutdown). */
export async function stopOtel(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
