import { createRequire } from 'node:module';
import type { Operation, Schema } from '@apollo/federation-internals';
import { type DefinitionNode, type DocumentNode, Kind } from 'graphql';

type OperationFromDocument = (
  schema: Schema,
  document: DocumentNode,
  options?: { operationName?: string; validate?: boolean },
) => Operation;

interface Kept {
  fragments: readonly DefinitionNode[];
  operation: Operation;
}

const require = createRequire(import.meta.url);
// The module that defines operationFromDocument; the package's index re-exports it with a getter
// that reads this module's export at every access, as @apollo/gateway's compiled calls do.
const operations = require('@apollo/federation-internals/dist/operations') as {
  operationFromDocument: OperationFromDocument;
};
const federation = require('@apollo/federation-internals') as { operationFromDocument: OperationFromDocument };

const kept = new WeakMap<Schema, WeakMap<DefinitionNode, Kept>>();
let original: OperationFromDocument | undefined;
const counts = { built: 0, reused: 0 };

/**
 * @apollo/gateway turns every request's operation into federation-internals' model of it, to shape
 * the response, even when its query plan is cached: executeQueryPlan calls
 * `operationFromDocument(apiSchema, { definitions: [operation, ...fragments] }, { validate: false })`.
 * Apollo Server parses a text once and hands every request with that text the same DocumentNode,
 * so the model is kept per API schema and operation node (and checked against the same fragment
 * nodes), and dropped with either. It costs 10 µs in a tight loop, but some 90 µs (p50) called
 * once every 20 ms as a gateway at 50 requests a second calls it, with cold caches; in
 * `bench:orders`' steady phase the gateway spent 0.5 ms less CPU an order with it kept
 * (docs/performance.md, "What the gateway does"). Only the validate-false call is kept: planning
 * (validated, once per plan) runs as before.
 *
 * Returns whether the package's export now reaches the cache, which a test pins: a release of
 * @apollo/federation-internals that binds its exports differently turns this off, never wrong.
 */
export function keepGatewayOperations(): boolean {
  if (!original) {
    const build = operations.operationFromDocument;
    original = build;
    operations.operationFromDocument = (schema, document, options) => {
      const [first, ...fragments] = document.definitions;
      if (
        options?.validate !== false ||
        options.operationName !== undefined ||
        first?.kind !== Kind.OPERATION_DEFINITION
      ) {
        return build(schema, document, options);
      }
      let bySchema = kept.get(schema);
      if (!bySchema) {
        bySchema = new WeakMap();
        kept.set(schema, bySchema);
      }
      const hit = bySchema.get(first);
      if (hit && sameNodes(hit.fragments, fragments)) {
        counts.reused++;
        return hit.operation;
      }
      const operation = build(schema, document, options);
      counts.built++;
      bySchema.set(first, { fragments, operation });
      return operation;
    };
  }
  return federation.operationFromDocument === operations.operationFromDocument;
}

/** How many models the cache built and how many times it handed one out again (for tests). */
export function operationCacheCounts(): Readonly<typeof counts> {
  return { ...counts };
}

function sameNodes(a: readonly DefinitionNode[], b: readonly DefinitionNode[]): boolean {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}
