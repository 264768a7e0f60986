// Checks rendered Kubernetes objects offline: each against its API schema (the kubernetes-models
// package: the Kubernetes OpenAPI schemas compiled to validators), then the rules this platform's
// manifests must keep (probes, requests, disruption budgets, autoscalers, references, no secrets).
import { containersOf, type KubeObject } from './kustomize.ts';

/** Custom resources the schemas do not cover, with the minimal shape checked here instead. */
const CUSTOM: Record<string, (object: KubeObject) => string[]> = {
  'postgresql.cnpg.io/v1/Cluster': ({ spec }) => [
    ...(Number.isInteger(spec?.instances) && spec.instances >= 1 ? [] : ['spec.instances must be a whole number >= 1']),
    ...(typeof spec?.storage?.size === 'string' ? [] : ['spec.storage.size must be a quantity such as 20Gi']),
  ],
};

const SUBGRAPHS = ['customer', 'order', 'product', 'credit-status'];
/** The gateway and every subgraph scale; the subgraphs (they own databases) migrate. */
export const APPS = { scaled: ['gateway', ...SUBGRAPHS], migrated: SUBGRAPHS };

const id = (object: KubeObject) => `${object.kind}/${object.metadata?.name}`;

/** Schema errors of one object, each prefixed with the object; none when it is valid. */
export async function schemaErrors(object: KubeObject): Promise<string[]> {
  if (!object?.apiVersion || !object.kind || !object.metadata?.name)
    return [`${id(object)}: apiVersion, kind and metadata.name are required`];
  const custom = CUSTOM[`${object.apiVersion}/${object.kind}`];
  if (custom) return custom(object).map((error) => `${id(object)}: ${error}`);
  // Core objects are `v1`; the others `<group>/<version>`, as the package's module paths are.
  const specifier = `kubernetes-models/${object.apiVersion}`;
  const module = await import(/* @vite-ignore */ specifier).catch(() => undefined);
  const Model = module?.[object.kind];
  if (!Model) return [`${id(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${id(object)}: ${(error as Error).message}`];
  }
}

const matches = (selector: Record<string, string> = {}, labels: Record<string, string> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The platform's own rules; `apps` are the workloads that must have autoscalers and migrations. */
export function policyErrors(objects: KubeObject[], apps: { scaled: string[]; migrated: string[] }): string[] {
  const errors: string[] = [];
  const named = (kind: string) => new Map(objects.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o]));
  const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
  const podLabels = (o: KubeObject): Record<string, string> => o.spec?.template?.metadata?.labels ?? {};
  for (const workload of workloads) {
    for (const container of containersOf([workload])) {
      const where = `${id(workload)} container ${container.name}`;
      if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory)
        errors.push(`${where}: needs cpu and memory requests`);
      if (!container.readinessProbe || !container.livenessProbe)
        errors.push(`${where}: needs readiness and liveness probes`);
      const ports = new Set((container.ports ?? []).map((port: { name?: string }) => port.name));
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const port = container[probe]?.httpGet?.port;
        if (typeof port === 'string' && !ports.has(port))
          errors.push(`${where}: ${probe} port ${port} is not a named port`);
      }
      if (workload.kind === 'Deployment') {
        if (container.readinessProbe?.httpGet?.path !== '/ready') errors.push(`${where}: readiness must be /ready`);
        if (container.livenessProbe?.httpGet?.path !== '/health') errors.push(`${where}: liveness must be /health`);
      }
    }
    const budgets = objects.filter(
      (o) => o.kind === 'PodDisruptionBudget' && matches(o.spec?.selector?.matchLabels, podLabels(workload)),
    );
    if (budgets.length !== 1)
      errors.push(`${id(workload)}: needs exactly one PodDisruptionBudget, has ${budgets.length}`);
  }
  const autoscalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  for (const name of apps.scaled) {
    if (!named('Deployment').has(name)) errors.push(`Deployment/${name} is missing`);
    if (
      !autoscalers.some(
        (hpa) => hpa.spec?.scaleTargetRef?.kind === 'Deployment' && hpa.spec.scaleTargetRef.name === name,
      )
    )
      errors.push(`Deployment/${name}: needs a HorizontalPodAutoscaler`);
  }
  for (const hpa of autoscalers) {
    if (!named(hpa.spec?.scaleTargetRef?.kind).has(hpa.spec?.scaleTargetRef?.name))
      errors.push(`${id(hpa)}: scales a workload that is not there`);
  }
  const jobs = named('Job');
  for (const name of apps.migrated) if (!jobs.has(`${name}-migrate`)) errors.push(`Job/${name}-migrate is missing`);
  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const pods = [...workloads, ...jobs.values()].filter((o) => matches(service.spec?.selector, podLabels(o)));
    if (pods.length === 0) errors.push(`${id(service)}: its selector matches no pods`);
  }
  // What a pod reads must be there, or it never starts (CreateContainerConfigError).
  const secrets = named('Secret');
  const configMaps = named('ConfigMap');
  for (const owner of [...workloads, ...jobs.values()]) {
    for (const container of containersOf([owner])) {
      for (const from of container.envFrom ?? []) {
        if (from.secretRef && !secrets.has(from.secretRef.name))
          errors.push(`${id(owner)}: Secret ${from.secretRef.name} is missing`);
        if (from.configMapRef && !configMaps.has(from.configMapRef.name))
          errors.push(`${id(owner)}: ConfigMap ${from.configMapRef.name} is missing`);
      }
    }
    for (const volume of owner.spec?.template?.spec?.volumes ?? []) {
      if (volume.configMap && !configMaps.has(volume.configMap.name))
        errors.push(`${id(owner)}: ConfigMap ${volume.configMap.name} is missing`);
    }
  }
  // No real secret is ever committed: every value is a placeholder that production refuses.
  for (const secret of secrets.values()) {
    if (secret.data) errors.push(`${id(secret)}: use stringData placeholders, not data`);
    for (const [key, value] of Object.entries(secret.stringData ?? {})) {
      if (key !== 'username' && !String(value).includes('replace-me'))
        errors.push(`${id(secret)}: ${key} holds a value, not a placeholder`);
    }
  }
  return errors;
}
