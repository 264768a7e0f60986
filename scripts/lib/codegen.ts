import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { type GraphQLSchema, printSchema } from 'graphql';
import type { CheckResult } from './schema-report.ts';
import { REPO_ROOT } from './supergraph-config.ts';

/**
 * The frontends' typed operations: GraphQL Code Generator's client preset turns every document in
 * gateway/operations into TypeScript (result and variable types, and a typed DocumentNode per
 * operation) from the API schema the frontends see: the composed supergraph's plus the gateway's
 * subscriptions. `npm run codegen` writes the files; schema:check fails while they are stale.
 * The storefront imports them, and so do the e2e tests (`@commerce-supergraph/storefront/gql`, the
 * storefront package's one export), so both send the same documents and read the same types.
 */

export const CODEGEN_DIR = 'storefront/src/gql';

export type GeneratedFiles = Map<string, string>;

/** The generated files by path relative to the repository root, generated in memory. */
export async function generateOperationTypes(schema: GraphQLSchema, root = REPO_ROOT): Promise<GeneratedFiles> {
  const { generate } = await import('@graphql-codegen/cli');
  const config: CodegenConfig = {
    schema: printSchema(schema),
    documents: [join(root, 'gateway/operations/*.graphql')],
    silent: true,
    errorsOnly: true,
    generates: {
      [`${join(root, CODEGEN_DIR)}/`]: {
        preset: 'client',
        presetConfig: { fragmentMasking: false },
        config: {
          useTypeImports: true,
          enumsAsTypes: true,
          // Money and time cross the wire as strings (docs/api.md, Money and time).
          scalars: { DateTime: 'string', Date: 'string', Decimal: 'string' },
        },
      },
    },
  };
  const outputs = (await generate(config, false)) as { filename: string; content: string }[];
  return new Map(outputs.map((output) => [relative(root, output.filename), output.content]));
}

/** What is committed under CODEGEN_DIR now, by path relative to the repository root. */
export async function readGeneratedFiles(root = REPO_ROOT): Promise<GeneratedFiles> {
  const dir = join(root, CODEGEN_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  const entries = await Promise.all(
    names.map(async (name) => [`${CODEGEN_DIR}/${name}`, await readFile(join(dir, name), 'utf8')] as const),
  );
  return new Map(entries);
}

export function checkCodegen(committed: GeneratedFiles, generated: GeneratedFiles | Error): CheckResult {
  const check = 'codegen';
  const fix = 'run npm run codegen and commit the result';
  if (generated instanceof Error) {
    return { check, status: 'fail', summary: 'the operations cannot be generated', details: [generated.message] };
  }
  const details = [
    ...[...generated.keys()].filter((file) => !committed.has(file)).map((file) => `missing: ${file}`),
    ...[...committed.keys()].filter((file) => !generated.has(file)).map((file) => `not generated: ${file}`),
    ...[...generated]
      .filter(([file, text]) => committed.has(file) && committed.get(file) !== text)
      .map(([f]) => `stale: ${f}`),
  ];
  if (details.length > 0) return { check, status: 'fail', summary: `${CODEGEN_DIR} is stale: ${fix}`, details };
  return { check, status: 'pass', summary: `${CODEGEN_DIR} is up to date (${generated.size} files)`, details: [] };
}
