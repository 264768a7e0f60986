import { createRequire } from 'node:module';
import type { Operation, Schema } from '@apollo/federation-internals';
import { type DefinitionNode, type DocumentNode, Kind } from 'graphql';

type OperationFromDocument = (
  schema: Schema,
  document: DocumentNode,
  options?: { operationName?: string; validate?: boolean },
) => Operation;

interface Exports {
  operationFromDocument: OperationFromDocument;
}

interface Kept {
  fragments: readonly DefinitionNode[];
  operation: Operation;
}

const kept = new WeakMap<Schema, WeakMap<DefinitionNode, Kept>>();
let installed = false;
const counts = { built: 0, reused: 0 };

/**
 * @apollo/gateway turns every request's operation into federation-internals' model of it, to shape
 * the response, even when its query plan is cached: executeQueryPlan calls
 * `operationFromDocument(apiSchema, { definitions: [operation, ...fragments] }, { validate: false })`.
 * Apollo Server keeps a parsed document per query text (its document store, per schema), so while
 * a text stays there every request with it brings the same operation node, and the model is kept
 * per API schema and operation node (checked against the same fragment nodes), dropped with either.
 * Nothing reads a request's variables into the model: the response's shaping takes them apart. It
 * costs 10 µs in a tight loop, but 90 µs (p50) called once every 20 ms with cold caches, and it was
 * 8.5 % of the gateway workers' CPU profile in `bench:orders`' steady phase (docs/performance.md,
 * "What the gateway does"). Only the validate-false call is kept: planning (validated, once per
 * plan, with an operation name) runs as before.
 *
 * Returns whether the gateway's calls now reach the cache (a test pins it). A release of
 * @apollo/federation-internals that lays out or binds its exports differently leaves the gateway
 * as it was and returns false; it never fails the start.
 */
export function keepGatewayOperations(): boolean {
  try {
    // @apollo/gateway's own copy of federation-internals (a nested one if its version ever differs
    // from the root's): the module that defines operationFromDocument, and the package index the
    // gateway's compiled code reads it through, a getter that reads the module's export at every call.
    const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));
    const operations = gatewayRequire('@apollo/federation-internals/dist/operations') as Exports;
    const federation = gatewayRequire('@apollo/federation-internals') as Exports;
    if (!installed) {
      operations.operationFromDocument = keeping(operations.operationFromDocument);
      installed = true;
    }
    return federation.operationFromDocument === operations.operationFromDocument;
  } catch {
    return false;
  }
}

function keeping(build: OperationFromDocument): OperationFromDocument {
  return (schema, document, options) => {
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

/** How many models the cache built and how many times it handed one out again (for tests). */
export function operationCacheCounts(): Readonly<typeof counts> {
  return { ...counts };
}

function sameNodes(a: readonly DefinitionNode[], b: readonly DefinitionNode[]): boolean {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}
