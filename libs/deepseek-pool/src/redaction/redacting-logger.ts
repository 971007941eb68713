import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import type { Redactor } from './redactor.js';

/** Longest string a log field may hold (after redaction). */
export const MAX_LOG_FIELD_CHARS = 2_048;

/**
 * A Nest logger in front of another: every message and parameter redacted of every known secret, each string field
 * capped.
 */
export class RedactingLogger implements LoggerService {
  constructor(
    private readonly inner: LoggerService,
    private readonly redactor: Redactor,
  ) {}

  /** Logs at `log` level, redacted. */
  log(message: unknown, ...params: unknown[]): void {
    this.forward('log', message, params);
  }

  /** Logs at `error` level, redacted. */
  error(message: unknown, ...params: unknown[]): void {
    this.forward('error', message, params);
  }

  /** Logs at `warn` level, redacted. */
  warn(message: unknown, ...params: unknown[]): void {
    this.forward('warn', message, params);
  }

  /** Logs at `debug` level, redacted. */
  debug(message: unknown, ...params: unknown[]): void {
    this.forward('debug', message, params);
  }

  /** Logs at `verbose` level, redacted. */
  verbose(message: unknown, ...params: unknown[]): void {
    this.forward('verbose', message, params);
  }

  /** Logs at `fatal` level, redacted. */
  fatal(message: unknown, ...params: unknown[]): void {
    this.forward('fatal', message, params);
  }

  /** Passes the levels to the inner logger, when it supports them. */
  setLogLevels(levels: LogLevel[]): void {
    this.inner.setLogLevels?.(levels);
  }

  private forward(level: LogLevel, message: unknown, params: unknown[]): void {
    this.inner[level]?.(this.clean(message), ...params.map((param) => this.clean(param)));
  }

  private clean(value: unknown): unknown {
    if (value instanceof Error) return this.redactor.clip(value.stack ?? value.message, MAX_LOG_FIELD_CHARS);
    return this.redactor.redactValue(value, MAX_LOG_FIELD_CHARS);
  }
}

/**
 * The logger a pool component writes to: the configured one (else Nest's Logger under `context`) behind redaction; none
 * for `false`.
 */
export function redactedLogger(
  logger: LoggerService | false | undefined,
  context: string,
  redactor: Redactor,
): LoggerService | undefined {
  return logger === false ? undefined : new RedactingLogger(logger ?? new Logger(context), redactor);
}
