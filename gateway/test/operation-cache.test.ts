import { readFileSync } from 'node:fs';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { buildOperationContext, executeQueryPlan } from '@apollo/gateway';
import { type DefinitionNode, type DocumentNode, Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { keepGatewayOperations, operationCacheCounts } from '../src/operation-cache.js';

const supergraph = Supergraph.build(readFileSync(new URL('../../supergraph.graphql', import.meta.url), 'utf8'));
const api = supergraph.apiSchema();
const QUERY = 'query Products { ...Count } fragment Count on Query { products(first: 1) { totalCount } }';

/** executeQueryPlan as the gateway calls it, with an empty plan: no fetch, only the response's shaping. */
async function execute(document: DocumentNode) {
  const operationContext = buildOperationContext({ schema: api.toGraphQLJSSchema(), operationDocument: document });
  const requestContext = { request: { variables: {} }, logger: console } as never;
  const plan = { kind: 'QueryPlan', node: undefined } as const;
  return await executeQueryPlan(plan, {}, requestContext, operationContext, supergraph.schema.toGraphQLJSSchema(), api);
}

/** The operation and the fragment of a freshly parsed text (new nodes each time). */
function definitionsOf(query: string): [DefinitionNode, DefinitionNode] {
  const [operation, fragment] = parse(query).definitions;
  if (!operation || !fragment) throw new Error('expected an operation and a fragment');
  return [operation, fragment];
}

const fromDocument = (document: DocumentNode, options?: { validate?: boolean }) =>
  operationFromDocument(api, document, options);

describe('keepGatewayOperations', () => {
  it('reaches the export @apollo/gateway calls', () => {
    expect(keepGatewayOperations()).toBe(true);
    expect(keepGatewayOperations()).toBe(true);
  });

  it("models a parsed document once across the gateway's requests, and answers the same", async () => {
    keepGatewayOperations();
    const document = parse(QUERY);
    const before = operationCacheCounts();
    const first = await execute(document);
    const second = await execute(document);
    expect(operationCacheCounts()).toEqual({ built: before.built + 1, reused: before.reused + 1 });
    expect(second).toEqual(first);
    await execute(parse(QUERY));
    expect(operationCacheCounts()).toEqual({ built: before.built + 2, reused: before.reused + 1 });
  });

  it('keeps only the unvalidated call, and only for the same operation and fragment nodes', () => {
    keepGatewayOperations();
    const [operation, fragment] = definitionsOf(QUERY);
    const asGateway: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, fragment] };
    const kept = fromDocument(asGateway, { validate: false });
    expect(fromDocument({ ...asGateway }, { validate: false })).toBe(kept);
    expect(fromDocument(asGateway)).not.toBe(fromDocument(asGateway));
    const [, otherFragment] = definitionsOf(QUERY);
    const withOther = fromDocument(
      { kind: Kind.DOCUMENT, definitions: [operation, otherFragment] },
      { validate: false },
    );
    expect(withOther).not.toBe(kept);
    expect(withOther.toString()).toBe(kept.toString());
  });
});
