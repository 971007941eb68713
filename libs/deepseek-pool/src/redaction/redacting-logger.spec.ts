import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { MAX_LOG_FIELD_CHARS, RedactingLogger } from './redacting-logger.js';
import { Redactor } from './redactor.js';

const KEY = 'sk-logged-0123456789abcdefghij';

class Lines implements LoggerService {
  readonly calls: unknown[][] = [];
  log = (...args: unknown[]) => void this.calls.push(args);
  error = this.log;
  warn = this.log;
}

describe('RedactingLogger', () => {
  it('redacts messages, parameters, records and errors, and caps every string field', () => {
    const inner = new Lines();
    const logger = new RedactingLogger(inner, new Redactor([KEY]));
    logger.warn(`key ${KEY.slice(0, 20)} failed`, 'Context');
    logger.log({ model: 'm'.repeat(10_000), error: `echo ${KEY}` });
    logger.error(new Error(`boom ${KEY}`));
    expect(inner.calls[0]).toEqual(['key *** failed', 'Context']);
    expect(inner.calls[1][0]).toEqual({ model: `${'m'.repeat(MAX_LOG_FIELD_CHARS)}...`, error: 'echo sk-...ghij' });
    expect(String(inner.calls[2][0])).toMatch(/^Error: boom sk-\.\.\.ghij/);
    expect(JSON.stringify(inner.calls)).not.toContain(KEY.slice(0, 12));
  });
});
