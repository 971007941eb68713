import { readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../apps/gateway/src/shutdown/drain-on-signals.js';
import { must } from '../support/must.js';

const page = readFileSync(new URL('../../docs/kubernetes.md', import.meta.url), 'utf8');
const MODELS = { Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget } as const;

/** Every object of every ```yaml block of docs/kubernetes.md. */
const manifests = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap(([, block]) =>
  parseAllDocuments(block).map((document) => document.toJS() as { kind: keyof typeof MODELS }),
);

// The Kubernetes page's manifests, validated against the Kubernetes API schemas (kubernetes-models) and against what
// the gateway needs: readiness on /health/ready, a preStop pause, a grace period covering it and the drain.
describe('docs/kubernetes.md manifests', () => {
  it('are a Deployment, a Service, an HPA and a PodDisruptionBudget, each valid for its API schema', () => {
    expect(manifests.map((manifest) => manifest.kind)).toEqual([
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
    ]);
    for (const manifest of manifests)
      expect(() => new MODELS[manifest.kind](manifest as never).validate()).not.toThrow();
  });

  it('a schema error is caught (the check is real)', () => {
    const broken = structuredClone(manifests[0]) as unknown as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('probe readiness on /health/ready and liveness on /health/live, and give the drain time to finish', () => {
    const deployment = new Deployment(manifests[0] as never);
    const pod = must(must(deployment.spec, 'the deployment spec').template.spec, 'the pod spec');
    const container = pod.containers[0];
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command?.[1]);
    const drainMs = Number(
      container.env?.find((variable) => variable.name === 'GATEWAY_DRAIN_TIMEOUT_MS')?.value ??
        DEFAULT_DRAIN_TIMEOUT_MS,
    );
    expect(preStopSeconds).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + drainMs / 1000);
    expect(container.env?.some((variable) => variable.name === 'REDIS_URL_FILE')).toBe(true);
    expect(
      container.env
        ?.filter((variable) => /KEYS|TOKEN|REDIS/.test(variable.name))
        .every((variable) => variable.name.endsWith('_FILE')),
    ).toBe(true);
  });
});
