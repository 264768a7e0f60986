import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperationDocument } from './schema-operations.ts';
import { REPO_ROOT } from './supergraph-config.ts';

export const OPERATIONS_DIR = 'gateway/operations';

/** Every `.graphql`/`.gql` document in gateway/operations, by file name. */
export async function readOperationDocuments(root = REPO_ROOT): Promise<OperationDocument[]> {
  const dir = join(root, OPERATIONS_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = names.filter((name) => /\.(graphql|gql)$/.test(name)).sort();
  return Promise.all(
    files.map(async (name) => ({ file: `${OPERATIONS_DIR}/${name}`, source: await readFile(join(dir, name), 'utf8') })),
  );
}
