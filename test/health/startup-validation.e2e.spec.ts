import { Test } from '@nestjs/testing';
import { DeepSeekPoolModule } from 'nestjs-deepseek-pool';
import { DeepSeekMock, refusedPort } from 'nestjs-deepseek-pool-mock';
import { type HealthApp, RecordingLogger, startHealthApp } from './health-app.js';

const SECRETS = [
  'sk-e2estartsecret000000001',
  'sk-e2estartsecret000000002',
  'sk-e2estartsecret000000003',
  'sk-e2estartsecret000000004',
  'sk-e2estartsecret000000005',
];
const [S1, S2, S3, S4, S5] = SECRETS;

describe('start-up key validation against the mock', () => {
  let mock: DeepSeekMock;

  beforeEach(async () => {
    mock = new DeepSeekMock({
      accounts: { full: {}, empty: { balance: 0 } },
      // S2 is unknown to the mock: 401, like a revoked key.
      keys: [
        { key: S1, account: 'full' },
        { key: S3, account: 'full' },
        { key: S4, account: 'empty' },
      ],
    });
    await mock.start();
  });

  afterEach(() => mock.close());

  it('disables revoked and empty keys, reports them by id in one log line, and keeps unreachable keys', async () => {
    const deadPort = await refusedPort();
    const h: HealthApp = await startHealthApp({
      keys: [
        { id: 'key-1', apiKey: S1, baseUrl: mock.url },
        { id: 'key-2', apiKey: S2, baseUrl: mock.url },
        { id: 'key-3', apiKey: S3, baseUrl: mock.url },
        { id: 'key-4', apiKey: S4, baseUrl: mock.url },
        { id: 'key-5', apiKey: S5, baseUrl: `http://127.0.0.1:${deadPort}` },
      ],
      health: { probe: { intervalMs: 3_600_000, balance: true } },
    });
    try {
      const summary = h.logger.lines.filter((line) => line.includes('at start'));
      expect(summary).toEqual([
        '2 of 5 keys rejected at start: key-2 (401 revoked), key-4 (402 insufficient balance); 1 of 5 keys could not be checked (kept in rotation): key-5 (unreachable)',
      ]);
      const { status, body } = await h.get('/health/ready');
      expect(status).toBe(200);
      expect(body.details['deepseek-pool']).toMatchObject({
        status: 'degraded',
        servingKeys: 3,
        keys: {
          'key-2': { state: 'disabled', disabledReason: 'revoked' },
          'key-4': { state: 'disabled', disabledReason: 'insufficient-balance' },
          'key-5': { state: 'ready' },
        },
      });
      const everything = [...h.bodies, ...h.logger.lines].join('\n');
      for (const secret of SECRETS) expect(everything).not.toContain(secret);
    } finally {
      await h.close();
    }
  });

  it("with health.validateOnStart: 'require-one', the app does not start when no key is valid, and says why", async () => {
    const logger = new RecordingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        DeepSeekPoolModule.forRoot({
          keys: [
            { id: 'key-2', apiKey: S2, baseUrl: mock.url },
            { id: 'key-4', apiKey: S4, baseUrl: mock.url },
          ],
          health: { probe: { balance: true }, validateOnStart: 'require-one' },
          logger,
        }),
      ],
    })
      .setLogger(logger)
      .compile();
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest takes option literals
    const app = moduleRef.createNestApplication({ logger });
    const error: unknown = await app.listen(0, '127.0.0.1').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NO_VALID_KEY',
      message:
        "No valid DeepSeek key at start (health.validateOnStart: 'require-one'): key-2 (401 revoked), key-4 (402 insufficient balance)",
    });
    expect((error as Error).message).not.toMatch(new RegExp(SECRETS.join('|')));
    await app.close();
  });

  it('network errors at start disable nothing', async () => {
    await mock.close();
    const h = await startHealthApp({
      keys: [
        { id: 'key-1', apiKey: S1, baseUrl: mock.url },
        { id: 'key-3', apiKey: S3, baseUrl: mock.url },
      ],
      health: { probe: { intervalMs: 3_600_000 } },
    });
    try {
      expect(h.logger.lines).toContain(
        '2 of 2 keys could not be checked (kept in rotation): key-1 (unreachable), key-3 (unreachable)',
      );
      expect(h.pool.snapshot().keys.map((k) => k.state)).toEqual(['ready', 'ready']);
    } finally {
      await h.close();
    }
  });
});
