/** The variables that ask for an exporter: without one of them the gateway starts no OpenTelemetry SDK at all. */
const EXPORTER_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
] as const;

/**
 * Whether the standard OTEL_* variables ask for telemetry: an exporter or endpoint is set and OTEL_SDK_DISABLED is not
 * true. Everything else (protocol, service name, intervals, headers) is read by the SDK itself.
 */
export function otelRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return EXPORTER_VARIABLES.some((name) => (env[name]?.trim() ?? '') !== '');
}

/** Paths whose requests get no server span: scrapes, health checks and the status page poll every few seconds. */
const UNTRACED_PATHS = /^\/(metrics|health|status)(\/|\?|$)/;

/** Whether an incoming request is traced (API calls are, monitoring traffic is not). */
export function tracedPath(url: string | undefined): boolean {
  return !UNTRACED_PATHS.test(url ?? '/');
}
