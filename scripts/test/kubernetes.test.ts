import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPS, policyErrors, schemaErrors } from '../lib/kubernetes-check.ts';
import { build, type KubeObject } from '../lib/kustomize.ts';

const ROOT = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const find = (objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};
const allErrors = async (objects: KubeObject[]) => [
  ...(await Promise.all(objects.map(schemaErrors))).flat(),
  ...policyErrors(objects, APPS),
];

let base: KubeObject[];
let production: KubeObject[];
beforeAll(async () => {
  base = await build(join(ROOT, 'base'));
  production = await build(join(ROOT, 'overlays/production'));
});

describe('deploy/kubernetes', () => {
  it('base and the production overlay pass the schemas and the rules', async () => {
    expect(await allErrors(base)).toEqual([]);
    expect(await allErrors(production)).toEqual([]);
  });

  it('runs every service with probes, an autoscaler and a budget, each subgraph with its migration Job', () => {
    for (const name of APPS.scaled) {
      const container = find(base, 'Deployment', name).spec.template.spec.containers[0];
      expect(container.readinessProbe.httpGet.path).toBe('/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health');
      expect(find(base, 'HorizontalPodAutoscaler', name).spec.scaleTargetRef.name).toBe(name);
      expect(find(base, 'PodDisruptionBudget', name).spec.minAvailable).toBe(1);
    }
    for (const name of APPS.migrated) {
      const job = find(base, 'Job', `${name}-migrate`).spec.template.spec.containers[0];
      expect(job.command.at(-1)).toMatch(new RegExp(`^subgraphs/${name}/dist/migrate\\.js$`));
    }
    const nats = find(base, 'StatefulSet', 'nats');
    expect(nats.spec.replicas).toBe(3);
    expect(nats.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  });

  it('runs NATS with the committed users, and connects every service as its own user', async () => {
    const config = find(base, 'ConfigMap', 'nats-config').data;
    expect(config['nats.conf']).toContain('include ./authorization.conf');
    const committed = await readFile(
      fileURLToPath(new URL('../../deploy/nats/authorization.conf', import.meta.url)),
      'utf8',
    );
    expect(config['authorization.conf'].trimEnd()).toBe(committed.trimEnd());
    const nats = find(base, 'StatefulSet', 'nats').spec.template.spec.containers[0];
    expect(nats.envFrom).toContainEqual({ secretRef: { name: 'nats-passwords' } });
    const passwords = find(base, 'Secret', 'nats-passwords').stringData;
    for (const name of APPS.scaled) {
      const workloads = [
        find(base, 'Deployment', name),
        ...base.filter((o) => o.kind === 'Job' && o.metadata.name === `${name}-migrate`),
      ];
      for (const workload of workloads) {
        const env = workload.spec.template.spec.containers[0].env as {
          name: string;
          value?: string;
          valueFrom?: any;
        }[];
        const variable = `NATS_${name.toUpperCase().replaceAll('-', '_')}_PASSWORD`;
        expect(env.find((e) => e.name === 'NATS_USER')?.value, workload.metadata.name).toBe(name);
        expect(env.find((e) => e.name === 'NATS_PASSWORD')?.valueFrom, workload.metadata.name).toEqual({
          secretKeyRef: { name: 'nats-passwords', key: variable },
        });
        expect(passwords).toHaveProperty(variable);
      }
    }
  });

  it('production: one namespace, the registry image, more gateways, CloudNativePG for PostgreSQL', () => {
    for (const object of production.filter((o) => o.kind !== 'Namespace'))
      expect(object.metadata.namespace).toBe('commerce');
    expect(find(production, 'Deployment', 'order').spec.template.spec.containers[0].image).toBe(
      'registry.example.com/commerce-supergraph:0.1.0',
    );
    expect(find(production, 'Deployment', 'gateway').spec.replicas).toBe(3);
    expect(find(production, 'HorizontalPodAutoscaler', 'gateway').spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 20,
    });
    expect(find(production, 'Cluster', 'commerce-postgres').spec.instances).toBe(3);
    expect(find(production, 'Secret', 'commerce-database').stringData.DATABASE_URL).toContain(
      '@commerce-postgres-rw:5432/',
    );
    // The overlay changed copies: the base renders as it was.
    expect(find(base, 'Deployment', 'gateway').spec.replicas).toBe(2);
  });
});

describe('the check finds what is wrong', () => {
  const broken = (mutate: (objects: KubeObject[]) => void) => {
    const objects = structuredClone(base);
    mutate(objects);
    return allErrors(objects);
  };

  it('a field of the wrong type or a missing required field, by the Kubernetes schema', async () => {
    expect(await broken((o) => (find(o, 'Deployment', 'order').spec.replicas = 'two'))).toEqual([
      expect.stringMatching(/^Deployment\/order: .*replicas must be integer/),
    ]);
    expect(await broken((o) => delete find(o, 'Service', 'gateway').spec.ports[0].port)).toEqual([
      expect.stringMatching(/^Service\/gateway: .*must have required property '?port'?/),
    ]);
    expect(await schemaErrors({ apiVersion: 'apps/v9', kind: 'Deployment', metadata: { name: 'x' } })).toEqual([
      'Deployment/x: no schema for apps/v9 Deployment',
    ]);
  });

  it('the platform rules: probes, requests, budgets, references, placeholders only', async () => {
    const errors = await broken((o) => {
      const product = find(o, 'Deployment', 'product').spec.template.spec.containers[0];
      product.readinessProbe.httpGet.path = '/health';
      delete product.resources.requests.cpu;
      o.splice(o.indexOf(find(o, 'PodDisruptionBudget', 'customer')), 1);
      o.splice(o.indexOf(find(o, 'HorizontalPodAutoscaler', 'order')), 1);
      o.splice(o.indexOf(find(o, 'Job', 'credit-status-migrate')), 1);
      find(o, 'Secret', 'customer-secrets').stringData.ADMIN_PASSWORD = 'a-real-password-committed-by-mistake';
      find(o, 'Deployment', 'gateway').spec.template.spec.containers[0].envFrom.push({
        secretRef: { name: 'nowhere' },
      });
    });
    expect(errors.sort()).toEqual(
      [
        'Deployment/product container product: readiness must be /ready',
        'Deployment/product container product: needs cpu and memory requests',
        'Deployment/customer: needs exactly one PodDisruptionBudget, has 0',
        'Deployment/order: needs a HorizontalPodAutoscaler',
        'Job/credit-status-migrate is missing',
        'Secret/customer-secrets: ADMIN_PASSWORD holds a value, not a placeholder',
        'Deployment/gateway: Secret nowhere is missing',
      ].sort(),
    );
  });
});

describe('the offline renderer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kustomize-'));
    await writeFile(
      join(dir, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { list: x }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: b }\n',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const render = async (kustomization: string) => {
    await writeFile(join(dir, 'kustomization.yaml'), `resources: [cm.yaml]\n${kustomization}`);
    return build(dir);
  };

  it('applies JSON 6902 patches: add, replace, remove, test', async () => {
    const objects = await render(`patches:
  - target: { kind: ConfigMap, name: a }
    patch: |
      - { op: test, path: /data/list, value: x }
      - { op: add, path: /data/more, value: "y" }
      - { op: replace, path: /data/list, value: z }
      - { op: add, path: /metadata/labels, value: { k: v } }
      - { op: remove, path: /data/more }
`);
    expect(find(objects, 'ConfigMap', 'a')).toMatchObject({ data: { list: 'z' }, metadata: { labels: { k: 'v' } } });
    expect(find(objects, 'ConfigMap', 'b').data).toBeUndefined();
  });

  it('refuses what it cannot render faithfully rather than ignoring it', async () => {
    await expect(render('commonLabels: { a: b }\n')).rejects.toThrow(
      /not supported by the offline renderer: commonLabels/,
    );
    await expect(render('patches:\n  - target: { kind: Secret }\n    patch: "[]"\n')).rejects.toThrow(
      /matches nothing/,
    );
    await expect(
      render('patches:\n  - target: { name: a }\n    patch: "[{op: replace, path: /nope/x, value: 1}]"\n'),
    ).rejects.toThrow(/does not exist/);
    await expect(render('images: [{ name: nowhere, newTag: "1" }]\n')).rejects.toThrow(/used by no container/);
  });
});
