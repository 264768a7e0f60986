import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeFromConfig } from './lib/compose.ts';
import { REPO_ROOT } from './lib/supergraph-config.ts';

/** `npm run compose`: supergraph.yaml -> supergraph.graphql at the repository root, or exit 1 with the reasons. */
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: join(REPO_ROOT, 'supergraph.yaml') },
    output: { type: 'string', default: join(REPO_ROOT, 'supergraph.graphql') },
  },
});
const config = values.config;
const output = values.output;

const outcome = await composeFromConfig(config);
for (const warning of outcome.warnings) console.warn(`warning: ${warning}`);
if (!outcome.ok) {
  console.error(`Composition of ${config} failed:`);
  for (const error of outcome.errors) console.error(`  - ${error}`);
  process.exit(1);
}
for (const hint of outcome.hints) console.warn(`hint: ${hint}`);
await writeFile(output, outcome.supergraphSdl);
console.log(`Wrote ${output}`);
