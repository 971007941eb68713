import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type Gateway, startGateway } from '../../apps/gateway/test/support/gateway-harness.js';
import { promqlMetricNames } from '../../apps/gateway/src/metrics/promql-names.fixture.js';

const rules = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url));
const ruleTests = fileURLToPath(new URL('../../deploy/prometheus/alerts.test.yml', import.meta.url));
/** The alerts the deploy promises; the compose stack test (deploy/test/stack-test.mjs) checks Prometheus loads them. */
const promisedAlerts = JSON.parse(
  readFileSync(new URL('../../deploy/prometheus/promised-alerts.json', import.meta.url), 'utf8'),
) as string[];
const MISSING =
  "promtool is not installed: install Debian's `prometheus` package (apt-get install -y prometheus) or set PROMTOOL";

function promtool(...args: string[]): string {
  try {
    return execFileSync(process.env.PROMTOOL ?? 'promtool', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(MISSING, { cause: error });
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`, {
      cause: error,
    });
  }
}

interface RuleFile {
  groups: Array<{
    rules: Array<{
      alert: string;
      expr: string;
      labels: { severity: string };
      annotations: { summary: string; description: string };
    }>;
  }>;
}

// The alert rules of the compose stack: valid for Prometheus, unit-tested with series
// (deploy/prometheus/alerts.test.yml),
// and every metric they read is one the gateway exports. Fails (never skips) when promtool is missing.
describe('alert rules (deploy/prometheus/alerts.yml)', () => {
  const file = parse(readFileSync(rules, 'utf8')) as RuleFile;
  const alerts = file.groups.flatMap((group) => group.rules);

  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', rules)).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('pass their promtool unit tests', () => {
    expect(promtool('test', 'rules', ruleTests)).toContain('SUCCESS');
  });

  it('cover what the deploy promises, each with a severity, a summary and a description', () => {
    expect(alerts.map((alert) => alert.alert)).toEqual(expect.arrayContaining(promisedAlerts));
    for (const alert of alerts) {
      expect(['info', 'warning', 'critical']).toContain(alert.labels.severity);
      expect(alert.annotations.summary.length).toBeGreaterThan(10);
      expect(alert.annotations.description.length).toBeGreaterThan(20);
    }
  });

  describe('against a running gateway', () => {
    let gateway: Gateway;

    beforeAll(async () => {
      gateway = await startGateway({ keys: [{ key: 'sk-alert-rules-01', name: 'k1' }] }, { degradation: {} });
    });

    afterAll(async () => {
      await gateway.close();
    });

    it("read only metrics the gateway exports (plus Prometheus' own `up`)", async () => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const exported = new Set([...text.matchAll(/^# TYPE (\S+) \w+$/gm)].map(([, name]) => name));
      exported.add('up');
      const referenced = new Set(alerts.flatMap((alert) => promqlMetricNames(alert.expr)));
      expect(referenced.size).toBeGreaterThanOrEqual(7);
      expect([...referenced].filter((name) => !exported.has(name))).toEqual([]);
    });
  });
});
