import { InvalidOptionsError } from '../deepseek-pool.errors.js';
import { flag, positiveInteger } from '../options/validation.js';

/**
 * An `@opentelemetry/api` TracerProvider / MeterProvider, described by the one method the pool calls: the published
 * types never import the optional peer, so an app without it compiles (skipLibCheck false included).
 */
export interface TracerProviderLike {
  /** A tracer of the instrumentation scope `name`. */
  getTracer(name: string, version?: string): unknown;
}
/** An `@opentelemetry/api` MeterProvider (see TracerProviderLike). */
export interface MeterProviderLike {
  /** A meter of the instrumentation scope `name`. */
  getMeter(name: string, version?: string): unknown;
}

/** OpenTelemetry traces and metrics of pool calls (through `@opentelemetry/api`, an optional peer). */
export interface TelemetryOptions {
  /**
   * Record message content (`gen_ai.input.messages` / `gen_ai.output.messages`), redacted of every key. Default false.
   */
  captureContent?: boolean;
  /** Longest captured content attribute, in characters, after redaction. Default 16 384. */
  maxContentChars?: number;
  /** Send the W3C `traceparent` of each attempt to the upstream. A key's `traceContext` overrides it. Default true. */
  traceContext?: boolean;
  /** Default: the global tracer provider (set by the OpenTelemetry SDK). */
  tracerProvider?: TracerProviderLike;
  /** Default: the global meter provider (set by the OpenTelemetry SDK). */
  meterProvider?: MeterProviderLike;
}

export interface ResolvedTelemetryOptions {
  captureContent: boolean;
  maxContentChars: number;
  traceContext: boolean;
  tracerProvider?: TracerProviderLike;
  meterProvider?: MeterProviderLike;
}

/** Validates `telemetry` (false: off); errors name the field. */
export function resolveTelemetryOptions(
  options: TelemetryOptions | false | undefined,
): ResolvedTelemetryOptions | false {
  if (options === false) return false;
  const given = options ?? {};
  const raw: unknown = given; // not type-checked in JavaScript callers
  if (typeof raw !== 'object' || raw === null) throw new InvalidOptionsError('telemetry', 'must be an object or false');
  return {
    captureContent: flag(given.captureContent ?? false, 'telemetry.captureContent'),
    maxContentChars: positiveInteger(given.maxContentChars ?? 16_384, 'telemetry.maxContentChars'),
    traceContext: flag(given.traceContext ?? true, 'telemetry.traceContext'),
    tracerProvider: given.tracerProvider,
    meterProvider: given.meterProvider,
  };
}
