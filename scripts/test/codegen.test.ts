import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, extendSchema, type GraphQLSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSubscriptions } from '../../gateway/src/live/sdl.ts';
import { CODEGEN_DIR, checkCodegen, generateOperationTypes, readGeneratedFiles } from '../lib/codegen.ts';
import { runSchemaCheck } from '../lib/schema-check.ts';
import { OPERATIONS, scenario } from './schema-fixtures.ts';

const SCHEMA = buildSchema(`
  scalar DateTime
  enum OrderStatus { PENDING CONFIRMED REJECTED PAID CANCELLED }
  enum PaymentStatus { SUCCEEDED FAILED }
  type Query { me: Customer }
  type Customer { id: ID! name: String! }
`);

describe('codegen', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'codegen-'));
    await mkdir(join(root, 'gateway/operations'), { recursive: true });
    await writeFile(
      join(root, 'gateway/operations/a.graphql'),
      'query Me { me { id name } }\nsubscription Mine { myOrderUpdates { orderId status occurredAt } }\n',
    );
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  // Generating loads GraphQL Code Generator's presets: seconds on a busy machine.
  it("types every operation, the gateway's subscriptions included, as typed documents", {
    timeout: 60_000,
  }, async () => {
    const files = await generateOperationTypes(withSubscriptions(SCHEMA), root);
    const types = files.get(`${CODEGEN_DIR}/graphql.ts`) ?? '';
    expect(types).toContain('export type MeQuery = { me: { id: string, name: string } | null }');
    expect(types).toContain('export const MineDocument');
    expect(types).toMatch(
      /MineSubscription = \{ myOrderUpdates: \{ orderId: string, status: OrderStatus, occurredAt: string \} \}/,
    );
  });

  it('passes when the committed files are what it generates, and names each stale, missing or extra file', {
    timeout: 60_000,
  }, async () => {
    const generated = await generateOperationTypes(withSubscriptions(SCHEMA), root);
    for (const [file, text] of generated) {
      await mkdir(join(root, CODEGEN_DIR), { recursive: true });
      await writeFile(join(root, file), text);
    }
    expect(checkCodegen(await readGeneratedFiles(root), generated).status).toBe('pass');

    const committed = new Map(generated);
    committed.set(`${CODEGEN_DIR}/graphql.ts`, '// edited by hand');
    committed.delete(`${CODEGEN_DIR}/gql.ts`);
    committed.set(`${CODEGEN_DIR}/old.ts`, '');
    const stale = checkCodegen(committed, generated);
    expect(stale.status).toBe('fail');
    expect(stale.details).toEqual([
      `missing: ${CODEGEN_DIR}/gql.ts`,
      `not generated: ${CODEGEN_DIR}/old.ts`,
      `stale: ${CODEGEN_DIR}/graphql.ts`,
    ]);
    expect(checkCodegen(committed, new Error('Cannot query field "nope"')).status).toBe('fail');
  });
});

describe('schema:check with the gateway extension', () => {
  it('validates the operations against the API schema plus the extension, and fails when the extension does not apply', () => {
    const input = scenario({
      operations: { 'customer.graphql': OPERATIONS, 'live.graphql': 'subscription S { myOrderUpdates { orderId } }' },
    });
    const operations = (results: ReturnType<typeof runSchemaCheck>) => results.find((r) => r.check === 'operations');
    const extension = parse('extend schema { subscription: S } type S { myOrderUpdates: U! } type U { orderId: ID! }');
    const extendApi = (api: GraphQLSchema) => extendSchema(api, extension);
    expect(operations(runSchemaCheck({ ...input, extendApi }))?.status).toBe('pass');
    const wrong = scenario({ operations: { 'live.graphql': 'subscription S { myOrderUpdates { nope } }' } });
    expect(operations(runSchemaCheck({ ...wrong, extendApi }))?.details.join()).toContain('Cannot query field "nope"');
    const broken = runSchemaCheck({
      ...input,
      extendApi: () => {
        throw new Error('Unknown type "OrderStatus".');
      },
    });
    expect(operations(broken)).toMatchObject({ status: 'fail', details: ['Unknown type "OrderStatus".'] });
  });
});
