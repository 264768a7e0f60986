import { describe, expect, it } from 'vitest';
import { runSchemaCheck } from '../lib/schema-check.ts';
import type { CheckResult } from '../lib/schema-report.ts';
import { CUSTOMER, composed, manifestOf, OPERATIONS, ORDER, scenario } from './schema-fixtures.ts';

/** The "done when" cases on in-memory schemas: each breaks one thing and expects one failure. */

const byCheck = (results: CheckResult[]) => Object.fromEntries(results.map((result) => [result.check, result]));
const statuses = (results: CheckResult[]) => results.map((result) => `${result.check}: ${result.status}`);
const WITHOUT_LEGACY = CUSTOMER.replace('  legacyField: String\n', '');

describe('runSchemaCheck', () => {
  it('passes when the artifacts match the code, compose, break nothing and serve the operations', () => {
    const results = runSchemaCheck(scenario());
    expect(statuses(results)).toEqual([
      'drift: pass',
      'composition: pass',
      'breaking changes: pass',
      'operations: pass',
      'persisted operations: pass',
    ]);
    expect(byCheck(results).operations?.summary).toBe('2 operations in 1 file validate against the API schema');
  });

  it('fails on a schema.graphql that drifted from its code, showing the differing lines', () => {
    const emitted = CUSTOMER.replace('  name: String!\n', '  name: String!\n  email: String\n');
    const drift = byCheck(runSchemaCheck(scenario({ emitted: { customer: emitted } }))).drift;
    expect(drift?.status).toBe('fail');
    expect(drift?.details).toEqual([
      'subgraphs/customer/schema.graphql differs from what its code emits: run npm run schema:emit',
      '  --- committed',
      '  +++ expected',
      '  @@ -8,6 +8,7 @@',
      '   type Customer @key(fields: "id") {',
      '     id: ID!',
      '     name: String!',
      '  +  email: String',
      '     tier: Tier!',
      '     internalNote: String @inaccessible',
      '   }',
    ]);
  });

  it('fails on a supergraph.graphql that is not the composition of the committed subgraph schemas', () => {
    const stale = composed({ customer: CUSTOMER });
    const drift = byCheck(runSchemaCheck(scenario({ supergraph: stale }))).drift;
    expect(drift?.status).toBe('fail');
    expect(drift?.details[0]).toBe(
      'supergraph.graphql differs from a fresh composition of the subgraph schemas: run npm run compose',
    );
    expect(drift?.details).toContain('  +  ORDER @join__graph(name: "order", url: "http://order/graphql")');
  });

  it('fails when a subgraph change breaks composition, naming the subgraphs and the reason', () => {
    const order = ORDER.replace('  id: ID!\n}\n', '  id: ID!\n  name: Int\n}\n').replace(
      '@key(fields: "id", resolvable: false)',
      '@key(fields: "id")',
    );
    const results = runSchemaCheck(scenario({ committed: { customer: CUSTOMER, order } }));
    expect(statuses(results)).toEqual([
      'drift: pass',
      'composition: fail',
      'breaking changes: skip',
      'operations: skip',
      'persisted operations: pass',
    ]);
    expect(byCheck(results).composition?.details).toContainEqual(
      expect.stringMatching(/^\[customer, order\] FIELD_TYPE_MISMATCH: Type of field "Customer\.name"/),
    );
  });

  it('fails on a field removed from the API against the base, naming the change; dangerous ones do not fail', () => {
    const customer = WITHOUT_LEGACY.replace('  GOLD\n', '  GOLD\n  PLATINUM\n');
    const breaking = byCheck(runSchemaCheck(scenario({ committed: { customer, order: ORDER } })))['breaking changes'];
    expect(breaking).toEqual({
      check: 'breaking changes',
      status: 'fail',
      summary: '1 unacknowledged against main',
      details: [
        'breaking: FIELD_REMOVED: Query.legacyField was removed',
        'to ship an intended breaking change, add it with a reason to schema-changes.acknowledged.yaml',
        'dangerous (not failing): VALUE_ADDED_TO_ENUM: PLATINUM was added to enum type Tier',
      ],
    });
  });

  it('passes an acknowledged breaking change and prints its reason', () => {
    const acknowledgements = `acknowledged:
  - change: "FIELD_REMOVED: Query.legacyField was removed"
    reason: No frontend sends it since storefront 3.2.
  - change: "TYPE_REMOVED: Tier was removed."
    reason: Listed early, before the change lands.
`;
    const results = runSchemaCheck(
      scenario({ committed: { customer: WITHOUT_LEGACY, order: ORDER }, acknowledgements }),
    );
    expect(statuses(results)).toContain('breaking changes: pass');
    expect(byCheck(results)['breaking changes']).toMatchObject({
      summary: '1 against main, all acknowledged',
      details: [
        'acknowledged: FIELD_REMOVED: Query.legacyField was removed (reason: No frontend sends it since storefront 3.2.)',
        'unused acknowledgement, not a change against the base (remove it once merged): TYPE_REMOVED: Tier was removed.',
      ],
    });
  });

  it('fails when the acknowledgements file has an entry without a reason', () => {
    const acknowledgements = 'acknowledged:\n  - change: "FIELD_REMOVED: Query.legacyField was removed"\n';
    const breaking = byCheck(runSchemaCheck(scenario({ acknowledgements })))['breaking changes'];
    expect(breaking?.status).toBe('fail');
    expect(breaking?.details[0]).toMatch(/^schema-changes\.acknowledged\.yaml: entry 1 needs .* "reason"/);
  });

  it('compares the client-facing API schema, not the raw supergraph', () => {
    // Removing an @inaccessible field and moving a subgraph change only the supergraph's join__ metadata.
    const customer = CUSTOMER.replace('  internalNote: String @inaccessible\n', '');
    const supergraph = composed({ customer, order: ORDER });
    const input = scenario({ committed: { customer, order: ORDER }, supergraph });
    const base = composed({ customer: CUSTOMER, order: ORDER }).replace('http://order/graphql', 'http://old/graphql');
    const results = runSchemaCheck({ ...input, base: { label: 'main', sdl: base } });
    expect(byCheck(results)['breaking changes']).toMatchObject({ status: 'pass', details: [] });
  });

  it('fails when an operation in gateway/operations no longer validates, naming file, operation and error', () => {
    const results = runSchemaCheck(
      scenario({
        committed: { customer: WITHOUT_LEGACY, order: ORDER },
        operations: { 'legacy.graphql': 'query Legacy { legacyField }\n' },
      }),
    );
    expect(byCheck(results).operations).toMatchObject({
      status: 'fail',
      details: [
        'gateway/operations/legacy.graphql:1:16: query Legacy: Cannot query field "legacyField" on type "Query".',
      ],
    });
  });

  it('fails when the committed manifest is not what the operations make, naming what changed', () => {
    const committed = manifestOf([{ file: 'gateway/operations/customer.graphql', source: OPERATIONS }]) as string;
    const changed = OPERATIONS.replace('me { id name tier }', 'me { id name }');
    const stale = byCheck(
      runSchemaCheck(
        scenario({ operations: { 'customer.graphql': `${changed}query Extra { me { id } }\n` }, manifest: committed }),
      ),
    )['persisted operations'];
    expect(stale).toEqual({
      check: 'persisted operations',
      status: 'fail',
      summary:
        'gateway/operations/persisted-query-manifest.json is stale: run npm run operations:manifest and commit the result',
      details: ['added: Extra', 'changed: Me'],
    });

    const missing = byCheck(runSchemaCheck(scenario({ manifest: null })))['persisted operations'];
    expect(missing).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/persisted-query-manifest\.json is missing/),
    });
  });

  it('fails when an operation cannot be persisted, such as an anonymous one', () => {
    const anonymous = byCheck(runSchemaCheck(scenario({ operations: { 'customer.graphql': '{ me { id } }\n' } })));
    expect(anonymous['persisted operations']).toMatchObject({
      status: 'fail',
      details: ['gateway/operations/customer.graphql: an anonymous query: every operation needs a name'],
    });
  });

  it('skips the breaking-change check, saying why, when the base has no supergraph.graphql', () => {
    const breaking = byCheck(runSchemaCheck(scenario({ base: null })))['breaking changes'];
    expect(breaking).toMatchObject({ status: 'skip', summary: 'main has no supergraph.graphql' });
  });

  it('fails when the base supergraph cannot be read as a supergraph', () => {
    const breaking = byCheck(runSchemaCheck(scenario({ base: 'type Query { a: Int }' })))['breaking changes'];
    expect(breaking).toMatchObject({ status: 'fail', summary: 'cannot read the API schema at main' });
  });
});
