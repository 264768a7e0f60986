import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, type OperationDefinitionNode, parse, print } from 'graphql';

const OPERATIONS_DIR = fileURLToPath(new URL('../../gateway/operations', import.meta.url));

/**
 * Every operation in gateway/operations by name, as the text written in its file. The e2e tests send
 * the generated typed documents (`@commerce-supergraph/storefront/gql`) instead; this is for the load
 * and fault tools, which send prepared JSON bodies, and for the safelist test's "as written" case.
 */
const operations = new Map<string, string>();
for (const file of readdirSync(OPERATIONS_DIR).filter((name) => name.endsWith('.graphql'))) {
  for (const definition of parse(readFileSync(join(OPERATIONS_DIR, file), 'utf8')).definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) {
      operations.set(definition.name.value, print(definition as OperationDefinitionNode));
    }
  }
}

export function operation(name: string): string {
  const document = operations.get(name);
  if (!document) throw new Error(`No operation "${name}" in gateway/operations`);
  return document;
}
