import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadGatewayConfig } from './config/gateway-config.js';
import { withSecretFiles } from './config/secret-files.js';
import { startDemoUpstream } from './demo/demo-upstream.js';
import { batchWrites } from './logging/batched-writes.js';
import { drainOnSignals, drainTimeoutMs } from './shutdown/drain-on-signals.js';
import { startOtel } from './telemetry/otel-sdk.js';

/**
 * The gateway's entry point. OpenTelemetry starts before the app's modules load (the HTTP instrumentation hooks
 * `http` as Fastify requires it), so the app is imported only after it.
 */
async function main(): Promise<void> {
  const logger = new Logger('Gateway');
  Object.assign(process.env, withSecretFiles(process.env));
  // Every variable is validated here, before anything starts: a bad one stops the start naming it.
  const config = loadGatewayConfig(process.env);
  // One write per flush window for the log lines (one per request by default), not one per line.
  batchWrites(process.stdout, config.logFlushMs);
  const drainMs = drainTimeoutMs(process.env);
  if (await startOtel()) logger.log('OpenTelemetry on: exporting as the OTEL_* variables say');
  const { createGateway } = await import('./gateway-app.js');
  const demo = config.mode === 'demo' ? await startDemoUpstream(process.env.DEMO_SCENARIO) : undefined;
  const app = await createGateway(config, demo);
  drainOnSignals(app, drainMs, logger);
  await app.listen(config.port, config.host);
  const url = `http://${config.host}:${(app.getHttpServer().address() as { port: number }).port}`;
  if (demo) {
    logger.warn(
      `DEMO MODE: no DEEPSEEK_API_KEYS set, serving from the embedded DeepSeek mock at ${demo.mock.url} (${demo.keys.length} simulated keys: ${demo.keys.map((k) => k.id).join(', ')})`,
    );
  }
  if (config.clientTokens.length === 0 && config.clients?.records === undefined)
    logger.warn(
      '!!! The gateway is OPEN: no GATEWAY_TOKENS set, any client can use it. Never expose it like this. !!!',
    );
  const auth = config.clientTokens.length > 0 ? ` -H 'Authorization: Bearer <one of GATEWAY_TOKENS>'` : '';
  logger.log(
    `Gateway listening on ${url}. Try:\n  curl -s ${url}/v1/chat/completions -H 'Content-Type: application/json'${auth} -d '{"model":"deepseek-v4-flash","messages":[{"role":"user","content":"Hello"}]}'`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    new Logger('Gateway').error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
