// `npm run schema:check [-- --base <git-ref>]`: drift, composition, breaking changes of the API
// schema against the base, the gateway's operations and their persisted operations manifest. The decisions live in lib/schema-*.ts;
// this file only reads files, prints each subgraph's SDL from its built code, and asks git for the base.
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { checkCodegen, generateOperationTypes, readGeneratedFiles } from './lib/codegen.ts';
import { readFrontendSchema } from './lib/frontend-schema.ts';
import { readOperationDocuments } from './lib/operation-documents.ts';
import { generateManifest, MANIFEST_FILE } from './lib/operations-manifest.ts';
import { ACKNOWLEDGEMENTS_FILE } from './lib/schema-acknowledgements.ts';
import { runSchemaCheck } from './lib/schema-check.ts';
import { readBaseSupergraph } from './lib/schema-git.ts';
import { failed, formatReport } from './lib/schema-report.ts';
import { printSubgraphSdl } from './lib/subgraph-sdl.ts';
import { REPO_ROOT, readSupergraphConfig } from './lib/supergraph-config.ts';

const SUPERGRAPH_FILE = 'supergraph.graphql';

const readOptional = (path: string) => readFile(path, 'utf8').catch(() => undefined);

try {
  const { values } = parseArgs({ options: { base: { type: 'string' } } });
  const config = readSupergraphConfig(join(REPO_ROOT, 'supergraph.yaml'));
  const subgraphs = [];
  for (const subgraph of config.subgraphs) {
    subgraphs.push({
      name: subgraph.name,
      routingUrl: subgraph.routingUrl,
      file: relative(REPO_ROOT, subgraph.schemaFile),
      committed: await readOptional(subgraph.schemaFile),
      emitted: await printSubgraphSdl(subgraph).catch((error: unknown) => error as Error),
    });
  }
  const operations = await readOperationDocuments();
  const { withSubscriptions } = await import('@commerce-supergraph/gateway/live/sdl');
  const results = runSchemaCheck({
    federationVersion: config.federationVersion,
    subgraphs,
    supergraph: { file: SUPERGRAPH_FILE, committed: await readOptional(join(REPO_ROOT, SUPERGRAPH_FILE)) },
    base: readBaseSupergraph(REPO_ROOT, values.base, SUPERGRAPH_FILE),
    acknowledgements: {
      file: ACKNOWLEDGEMENTS_FILE,
      text: await readOptional(join(REPO_ROOT, ACKNOWLEDGEMENTS_FILE)),
    },
    operations,
    manifest: {
      file: MANIFEST_FILE,
      committed: await readOptional(join(REPO_ROOT, MANIFEST_FILE)),
      generated: await generateManifest(operations),
    },
    extendApi: withSubscriptions,
  });
  // From the committed supergraph, which the drift check above holds to the code.
  const generated = await readFrontendSchema()
    .then((schema) => generateOperationTypes(schema))
    .catch((error: unknown) => error as Error);
  results.push(checkCodegen(await readGeneratedFiles(), generated));
  const report = formatReport(results);
  if (failed(results).length > 0) {
    process.stderr.write(report);
    process.exitCode = 1;
  } else {
    process.stdout.write(report);
  }
} catch (error) {
  // Setup problems (unreadable supergraph.yaml, unknown --base, bad flags) before any check could run.
  console.error(`schema:check: ${(error as Error).message}`);
  process.exitCode = 1;
}
