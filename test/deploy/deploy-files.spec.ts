import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { must } from '../support/must.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface ComposeService {
  image?: string;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  healthcheck?: { test: string[] };
  command?: string[];
}
const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;

// What docker compose reads but the stack test (deploy/test/stack-test.sh) cannot run here: the upstream profile and
// Grafana (no Grafana image can be built offline). Their files are checked for consistency instead.
describe('compose.yaml', () => {
  it('binds every published port to 127.0.0.1', () => {
    const ports = Object.values(services).flatMap((service) => service.ports ?? []);
    expect(ports.length).toBeGreaterThanOrEqual(6);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('gives both upstream replicas Redis and their keys and tokens as Docker secrets, never as values', () => {
    for (const name of ['gateway-a', 'gateway-b']) {
      const gateway = services[name];
      expect(gateway.profiles).toEqual(['upstream']);
      expect(gateway.environment).toMatchObject({
        REDIS_URL: 'redis://redis:6379',
        DEEPSEEK_API_KEYS_FILE: '/run/secrets/deepseek_api_keys',
        GATEWAY_TOKENS_FILE: '/run/secrets/gateway_tokens',
      });
      expect(
        Object.keys(must(gateway.environment, `${name}.environment`)).filter((variable) =>
          /^(DEEPSEEK_API_KEYS|GATEWAY_TOKENS|GATEWAY_ADMIN_TOKEN)$/.test(variable),
        ),
      ).toEqual([]);
      for (const secret of must(gateway.secrets, `${name}.secrets`))
        expect(compose.secrets[secret].file).toMatch(/^\.\/deploy\/secrets\//);
    }
    expect(read('.gitignore')).toMatch(/^deploy\/secrets\/$/m);
  });

  it('runs the demo replicas on the mock with the keys of its demo cast', () => {
    const demo = JSON.parse(read('deploy/demo/gateway.json')) as {
      keys: Array<{ id: string; apiKey: string }>;
      defaultBaseUrl: string;
    };
    const cast = JSON.parse(read('libs/deepseek-mock/scenarios/demo.json')) as {
      keys: Array<{ key: string; name: string }>;
    };
    expect(demo.keys.map((key) => [key.id, key.apiKey])).toEqual(cast.keys.map((key) => [key.name, key.key]));
    expect(demo.defaultBaseUrl).toBe('http://mock:8787');
    expect(services['mock'].command).toContain('8787');
    for (const name of ['demo-gateway-a', 'demo-gateway-b']) expect(services[name].profiles).toEqual(['demo']);
  });

  it("feeds Prometheus the alert rules and both replicas, and Grafana the repo's dashboard and Prometheus", () => {
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    expect(services['prometheus'].volumes).toEqual(
      expect.arrayContaining(['./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro']),
    );
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual(['gateway-a:3000', 'gateway-b:3000']);

    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ type: string; url: string }>;
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const dashboards = parse(read('deploy/grafana/provisioning/dashboards/deepseek-pool.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const mount = must(
      must(services['grafana'].volumes, 'grafana.volumes').find((volume) =>
        volume.startsWith('./apps/gateway/grafana:'),
      ),
      'the dashboards mount of grafana',
    );
    expect(mount.split(':')[1]).toBe(dashboards.providers[0].options.path);
    const dashboard = JSON.parse(read('apps/gateway/grafana/deepseek-pool-dashboard.json')) as {
      templating: { list: Array<{ type: string; query: string }> };
    };
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ type: 'datasource', query: 'prometheus' }),
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on the official Node image by default, runs as a non-root user, and checks /health/live', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\}/gm)).toHaveLength(3);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health\/live/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('starts the gateway with a 32 MB young-generation semi-space, as npm start and the throughput suite do', () => {
    const flag = '--max-semi-space-size=32';
    expect(dockerfile).toMatch(/^CMD \["node", "--max-semi-space-size=32", "apps\/gateway\/dist\/main\.js"\]$/m);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(must(scripts.start)).toContain(`node ${flag} apps/gateway/dist/main.js`);
    expect(read('bench/throughput/systems.ts')).toContain(`const GATEWAY_NODE_ARGS = ['${flag}'];`);
  });

  it('has a .dockerignore that lets in only sources and manifests (no secrets, no local builds)', () => {
    const ignore = read('.dockerignore').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**', '**/dist', '**/node_modules', '**/.env*']));
    expect(
      ignore
        .filter((line) => line.startsWith('!'))
        .every((line) => /package(-lock)?\.json$|tsconfig(\.base)?\.json$|\/src\/\*\*$|\/scenarios\/\*\*$/.test(line)),
    ).toBe(true);
  });
});
