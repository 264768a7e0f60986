// `npm run codegen`: writes storefront/src/gql, the TypeScript of every operation in gateway/operations
// (lib/codegen.ts). schema:check fails while the committed files differ from what this writes.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CODEGEN_DIR, generateOperationTypes } from './lib/codegen.ts';
import { readFrontendSchema } from './lib/frontend-schema.ts';
import { REPO_ROOT } from './lib/supergraph-config.ts';

try {
  const files = await generateOperationTypes(await readFrontendSchema());
  // Whole directory: an operation that was removed leaves no file behind.
  await rm(join(REPO_ROOT, CODEGEN_DIR), { recursive: true, force: true });
  for (const [file, content] of files) {
    await mkdir(dirname(join(REPO_ROOT, file)), { recursive: true });
    await writeFile(join(REPO_ROOT, file), content);
  }
  console.log(`${CODEGEN_DIR}: ${files.size} files from the operations in gateway/operations`);
} catch (error) {
  console.error(`codegen: ${(error as Error).message}`);
  process.exitCode = 1;
}
