// `npm run schema:emit`: writes each subgraph's SDL, printed from its code, to its schema.graphql.
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { printSubgraphSdl } from './lib/subgraph-sdl.ts';
import { REPO_ROOT, readSupergraphConfig } from './lib/supergraph-config.ts';

for (const subgraph of readSupergraphConfig().subgraphs) {
  const sdl = await printSubgraphSdl(subgraph);
  const previous = await readFile(subgraph.schemaFile, 'utf8').catch(() => '');
  await writeFile(subgraph.schemaFile, sdl);
  const state = previous === sdl ? 'unchanged' : 'updated';
  console.log(`${subgraph.name}: ${relative(REPO_ROOT, subgraph.schemaFile)} ${state}`);
}
