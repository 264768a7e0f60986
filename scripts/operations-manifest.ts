// `npm run operations:manifest`: writes gateway/operations/persisted-query-manifest.json, the
// frontends' operations with their persisted ids (docs/api.md, Persisted operations). schema:check
// fails while the committed file differs from what this writes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readOperationDocuments } from './lib/operation-documents.ts';
import { generateManifest, MANIFEST_FILE } from './lib/operations-manifest.ts';
import { REPO_ROOT } from './lib/supergraph-config.ts';

const manifest = await generateManifest(await readOperationDocuments());
if (manifest instanceof Error) {
  console.error(`operations:manifest: ${manifest.message}`);
  process.exitCode = 1;
} else {
  await writeFile(join(REPO_ROOT, MANIFEST_FILE), manifest);
  const count = (JSON.parse(manifest) as { operations: unknown[] }).operations.length;
  console.log(`${MANIFEST_FILE}: ${count} operations`);
}
