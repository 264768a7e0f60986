// `npm run k8s:check`: renders deploy/kubernetes (the base and every overlay) and checks every object
// against the Kubernetes schemas and the platform's rules, offline. Exit 1 naming each problem.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, policyErrors, schemaErrors } from './lib/kubernetes-check.ts';
import { build } from './lib/kustomize.ts';

const ROOT = fileURLToPath(new URL('../deploy/kubernetes/', import.meta.url));

const targets = ['base', ...(await readdir(join(ROOT, 'overlays'))).map((name) => `overlays/${name}`)];
let failed = false;
for (const target of targets) {
  try {
    const objects = await build(join(ROOT, target));
    const errors = [...(await Promise.all(objects.map(schemaErrors))).flat(), ...policyErrors(objects, APPS)];
    for (const error of errors) console.error(`${target}: ${error}`);
    failed ||= errors.length > 0;
    console.log(`${target}: ${objects.length} objects, ${errors.length === 0 ? 'valid' : `${errors.length} problems`}`);
  } catch (error) {
    failed = true;
    console.error(`${target}: ${(error as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
