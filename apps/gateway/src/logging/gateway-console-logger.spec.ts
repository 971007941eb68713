import { ConsoleLogger } from '@nestjs/common';
import { describe, expect, it, jest } from '@jest/globals';
import { GatewayConsoleLogger, type LoggerSurroundings } from './gateway-console-logger.js';

/** The line a logger prints for `message`, captured from stdout. */
function printed(logger: ConsoleLogger, message: string): string {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    logger.log(message, 'Gateway');
    return String(write.mock.calls[0]?.[0]);
  } finally {
    write.mockRestore();
  }
}

const ESCAPE = '\u001b[';

describe('GatewayConsoleLogger', () => {
  it('prints the same timestamp text as Nest for the same instant', () => {
    // Arrange
    const at = Date.UTC(2026, 11, 2, 17, 1, 57, 400);
    const ours = new GatewayConsoleLogger(false, { target: {}, env: {}, nowMs: () => at });
    jest.useFakeTimers({ now: at });
    try {
      // Act
      const nests = printed(new ConsoleLogger({ colors: false }), 'hello');
      const line = printed(ours, 'hello');

      // Assert
      expect(line).toBe(nests.replace(/\d+ {2}- /, `${process.pid}  - `));
    } finally {
      jest.useRealTimers();
    }
  });

  it('formats the timestamp once per second of its clock', () => {
    // Arrange
    let now = Date.UTC(2026, 11, 2, 17, 1, 57, 0);
    const formatTime = jest.fn((ms: number) => new Date(ms).toISOString());
    const logger = new GatewayConsoleLogger(false, { target: {}, env: {}, nowMs: () => now, formatTime });

    // Act
    const first = printed(logger, 'a');
    now += 999;
    const sameSecond = printed(logger, 'b');
    now += 1;
    const nextSecond = printed(logger, 'c');

    // Assert
    expect(formatTime.mock.calls).toEqual([
      [Date.UTC(2026, 11, 2, 17, 1, 57, 0)],
      [Date.UTC(2026, 11, 2, 17, 1, 58, 0)],
    ]);
    expect(sameSecond.replace(' b', ' a')).toBe(first);
    expect(first).toContain('T17:01:57.000Z');
    expect(nextSecond).toContain('T17:01:58.000Z');
  });

  it.each<[string, boolean, Required<LoggerSurroundings>['target'], NodeJS.ProcessEnv, boolean]>([
    ['a terminal', false, { isTTY: true }, {}, true],
    ['a terminal with NO_COLOR', false, { isTTY: true }, { NO_COLOR: '1' }, false],
    ['a file or a pipe', false, {}, {}, false],
    ['JSON on a terminal', true, { isTTY: true }, {}, false],
  ])('colours, %s (json %s, target %j, env %j): %s', (_case, json, target, env, coloured) => {
    // Arrange
    const logger = new GatewayConsoleLogger(json, { target, env });

    // Act
    const line = printed(logger, 'hello');

    // Assert
    expect(line.includes(ESCAPE)).toBe(coloured);
  });
});
