import { readFileSync } from 'node:fs';
import { operationFromDocument, type Schema, Supergraph } from '@apollo/federation-internals';
import { buildOperationContext, executeQueryPlan } from '@apollo/gateway';
import { type DefinitionNode, type DocumentNode, Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { keepGatewayOperations, operationCacheCounts } from '../src/operation-cache.js';

const sdl = readFileSync(new URL('../../supergraph.graphql', import.meta.url), 'utf8');
const supergraph = Supergraph.build(sdl);
const api = supergraph.apiSchema();
const QUERY = 'query Products { ...Count } fragment Count on Query { products(first: 1) { totalCount } }';

/**
 * executeQueryPlan as the gateway calls it, with a plan that fetches nothing: only the response's
 * shaping runs, from the operation's model, so what it answers shows which model it used.
 */
async function execute(document: DocumentNode, variables: Record<string, unknown> = {}) {
  const operationContext = buildOperationContext({ schema: api.toGraphQLJSSchema(), operationDocument: document });
  const requestContext = { request: { variables }, logger: console } as never;
  const plan = { kind: 'QueryPlan', node: undefined } as const;
  return await executeQueryPlan(plan, {}, requestContext, operationContext, supergraph.schema.toGraphQLJSSchema(), api);
}

/** The operation and the fragment of a freshly parsed text (new nodes each time). */
function definitionsOf(query: string): [DefinitionNode, DefinitionNode] {
  const [operation, fragment] = parse(query).definitions;
  if (!operation || !fragment) throw new Error('expected an operation and a fragment');
  return [operation, fragment];
}

const fromDocument = (
  schema: Schema,
  document: DocumentNode,
  options?: { validate?: boolean; operationName?: string },
) => operationFromDocument(schema, document, options);

describe('keepGatewayOperations', () => {
  it('takes over the function in the copy of federation-internals the gateway loads', () => {
    expect(keepGatewayOperations()).toBe(true);
    expect(keepGatewayOperations()).toBe(true);
  });

  it("models a parsed document once across the gateway's requests; a new parse is modelled anew", async () => {
    keepGatewayOperations();
    const document = parse(QUERY);
    const before = operationCacheCounts();
    await execute(document);
    await execute(document);
    expect(operationCacheCounts()).toEqual({ built: before.built + 1, reused: before.reused + 1 });
    await execute(parse(QUERY));
    expect(operationCacheCounts()).toEqual({ built: before.built + 2, reused: before.reused + 1 });
  });

  it("shapes each response by its own request's variables from the one kept model", async () => {
    keepGatewayOperations();
    const document = parse('query Me($x: Boolean! = false) { __typename me @include(if: $x) { id } }');
    const before = operationCacheCounts();
    expect(await execute(document, { x: true })).toEqual({ data: { __typename: 'Query', me: null } });
    expect(await execute(document, { x: false })).toEqual({ data: { __typename: 'Query' } });
    expect(await execute(document)).toEqual({ data: { __typename: 'Query' } });
    expect(operationCacheCounts()).toEqual({ built: before.built + 1, reused: before.reused + 2 });
  });

  it('keeps a model per schema, and only for the same operation and fragment nodes', () => {
    keepGatewayOperations();
    const [operation, fragment] = definitionsOf(QUERY);
    const asGateway: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, fragment] };
    const kept = fromDocument(api, asGateway, { validate: false });
    expect(fromDocument(api, { ...asGateway }, { validate: false }) === kept).toBe(true);

    const [, otherFragment] = definitionsOf(QUERY);
    const withOther = fromDocument(
      api,
      { kind: Kind.DOCUMENT, definitions: [operation, otherFragment] },
      { validate: false },
    );
    expect(withOther === kept).toBe(false);
    expect(withOther.toString()).toBe(kept.toString());

    const reloaded = Supergraph.build(sdl).apiSchema();
    const forReloaded = fromDocument(reloaded, asGateway, { validate: false });
    expect(forReloaded === kept).toBe(false);
    expect(forReloaded.schema() === reloaded).toBe(true);
  });

  it('leaves the planning call alone: validated, or naming its operation', () => {
    keepGatewayOperations();
    const [operation, fragment] = definitionsOf(QUERY);
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, fragment] };
    const validated = [fromDocument(api, document), fromDocument(api, document)];
    expect(validated[0] === validated[1]).toBe(false);
    const named = { validate: false, operationName: 'Products' };
    const planned = [fromDocument(api, document, named), fromDocument(api, document, named)];
    expect(planned[0] === planned[1]).toBe(false);
  });
});
