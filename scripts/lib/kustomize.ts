// A Kustomize renderer for the fields deploy/kubernetes uses, so the manifests can be built and checked
// offline (no kustomize or kubectl binary here). Any other kustomization field is refused rather than
// ignored: what this renders is what `kubectl apply -k` applies.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: any;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'replicas', 'patches']);
/** Kinds without a namespace: the namespace transformer leaves them alone. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
]);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { target: { kind?: string; name?: string }; patch: string }[];
}

/** Renders the kustomization in `dir` (base or overlay) into its objects, in resource order. */
export async function build(dir: string): Promise<KubeObject[]> {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parse(await readFile(file, 'utf8')) as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0)
    throw new Error(`${file}: not supported by the offline renderer: ${unsupported.join(', ')}`);
  const objects: KubeObject[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(dir, entry);
    if ((await stat(path)).isDirectory()) objects.push(...(await build(path)));
    else objects.push(...(await readObjects(path)));
  }
  const seen = new Set<string>();
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
    if (seen.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
  if (kustomization.namespace) {
    for (const object of objects) {
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }
  for (const { target, patch } of kustomization.patches ?? []) {
    const ops = parse(patch) as JsonPatchOp[];
    if (!Array.isArray(ops)) throw new Error(`${file}: only JSON 6902 patches (a list of operations) are supported`);
    const matched = objects.filter(
      (object) =>
        (!target.kind || object.kind === target.kind) && (!target.name || object.metadata.name === target.name),
    );
    if (matched.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(target)} matches nothing`);
    for (const object of matched) for (const op of ops) applyOp(object, op);
  }
  for (const { name, count } of kustomization.replicas ?? []) {
    const matched = objects.filter((object) => object.metadata.name === name && object.spec?.replicas !== undefined);
    if (matched.length === 0) throw new Error(`${file}: replicas for ${name} match no workload`);
    for (const object of matched) object.spec.replicas = count;
  }
  for (const image of kustomization.images ?? []) {
    let used = false;
    for (const container of containersOf(objects)) {
      if (imageName(container.image) !== image.name) continue;
      used = true;
      const tag = image.digest ? `@${image.digest}` : image.newTag ? `:${image.newTag}` : '';
      container.image = `${image.newName ?? image.name}${tag}`;
    }
    if (!used) throw new Error(`${file}: image ${image.name} is used by no container`);
  }
  return objects;
}

async function readObjects(path: string): Promise<KubeObject[]> {
  const documents = parseAllDocuments(await readFile(path, 'utf8'));
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
  }
  return documents.map((document) => document.toJS() as KubeObject).filter((object) => object !== null);
}

/** Every container of every pod template: Deployments, StatefulSets, Jobs, bare pods. */
export function containersOf(objects: KubeObject[]): { name: string; image: string; [key: string]: any }[] {
  return objects.flatMap((object) => {
    const pod = object.kind === 'Pod' ? object.spec : object.spec?.template?.spec;
    return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
  });
}

const imageName = (image: string): string => image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');

interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** One RFC 6902 operation (add, replace, remove, test) on the object, in place. */
function applyOp(object: KubeObject, { op, path, value }: JsonPatchOp): void {
  const keys = path
    .split('/')
    .slice(1)
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = keys.pop();
  if (last === undefined) throw new Error(`patch path "${path}" names the whole object`);
  let parent: any = object;
  for (const key of keys) {
    parent = parent?.[Array.isArray(parent) ? Number(key) : key];
    if (parent === undefined)
      throw new Error(`patch path "${path}" does not exist in ${object.kind}/${object.metadata.name}`);
  }
  const exists = Array.isArray(parent) ? Number(last) < parent.length : Object.hasOwn(parent, last);
  if (op !== 'add' && !exists)
    throw new Error(`patch ${op} "${path}": nothing there in ${object.kind}/${object.metadata.name}`);
  if (op === 'test') {
    if (JSON.stringify(parent[last]) !== JSON.stringify(value)) throw new Error(`patch test "${path}" failed`);
  } else if (op === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (Array.isArray(parent) && op === 'add') {
    parent.splice(last === '-' ? parent.length : Number(last), 0, value);
  } else if (op === 'add' || op === 'replace') {
    parent[Array.isArray(parent) ? Number(last) : last] = value;
  } else {
    throw new Error(`patch operation "${op}" is not supported`);
  }
}
