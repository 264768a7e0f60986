import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  buildManifest,
  documentId,
  parseManifest,
  printAsSent,
} from '@commerce-supergraph/gateway/persisted-documents';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readOperationDocuments } from '../lib/operation-documents.ts';
import { generateManifest, MANIFEST_FILE } from '../lib/operations-manifest.ts';
import { REPO_ROOT } from '../lib/supergraph-config.ts';

const FILE = 'gateway/operations/shop.graphql';

describe('the persisted operations manifest', () => {
  it('makes one entry per operation, with the fragments it uses, printed as Apollo Client sends it', () => {
    const source = `# the storefront
      query Shop($id: ID!) { product(id: $id) { ...Card brand { ...Named } } }
      fragment Unused on Product { id }
      fragment Named on Brand { name }
      fragment Card on Product { id price { amount } ...Named2 }
      fragment Named2 on Product { name }
      mutation Buy { placeOrder { order { id } } }`;
    const manifest = buildManifest([{ file: FILE, source }]);
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    expect(manifest.operations.map(({ name, type }) => [name, type])).toEqual([
      ['Buy', 'mutation'],
      ['Shop', 'query'],
    ]);
    const shop = manifest.operations[1];
    // Operation first, then the fragments it reaches, by name; __typename in every set but the root.
    expect(shop?.body).toBe(`query Shop($id: ID!) {
  product(id: $id) {
    ...Card
    brand {
      ...Named
      __typename
    }
    __typename
  }
}

fragment Card on Product {
  id
  price {
    amount
    __typename
  }
  ...Named2
  __typename
}

fragment Named on Brand {
  name
  __typename
}

fragment Named2 on Product {
  name
  __typename
}`);
    // The id a frontend computes: SHA-256 of the body's UTF-8, lower-case hex.
    expect(shop?.id).toBe(
      createHash('sha256')
        .update(shop?.body ?? '')
        .digest('hex'),
    );
  });

  it('prints a document the same whatever its layout, and with or without the __typenames', () => {
    const sent = printAsSent(parse('query Q { me { id orders { id } } }'));
    expect(printAsSent(parse('query Q {\n  me { __typename id orders { id __typename } }\n}'))).not.toBe(sent);
    expect(printAsSent(parse('query   Q{me{id,orders{id __typename}__typename}}'))).toBe(sent);
    expect(printAsSent(parse(sent))).toBe(sent);
    // A set that selects __typename already (wherever) gets no second one, as in Apollo Client.
    expect(printAsSent(parse('query T { me { __typename id } }'))).toBe(
      'query T {\n  me {\n    __typename\n    id\n  }\n}',
    );
  });

  it('refuses anonymous operations, duplicate names and unknown fragments', () => {
    expect(() => buildManifest([{ file: FILE, source: '{ me { id } }' }])).toThrow(/anonymous query/);
    expect(() =>
      buildManifest([
        { file: 'a.graphql', source: 'query Me { me { id } }' },
        { file: 'b.graphql', source: 'query Me { me { name } }' },
      ]),
    ).toThrow('b.graphql: operation Me is already defined in a.graphql');
    expect(() => buildManifest([{ file: FILE, source: 'query Me { me { ...Gone } }' }])).toThrow(
      /spreads unknown fragment Gone/,
    );
  });

  it('reads a manifest only when every id is the hash of its body', () => {
    const manifest = buildManifest([{ file: FILE, source: 'query Me { me { id } }' }]);
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
    const tampered = { ...manifest, operations: [{ ...manifest.operations[0], body: 'query Me { me { email } }' }] };
    expect(() => parseManifest(JSON.stringify(tampered))).toThrow(/not the SHA-256 of its body/);
    expect(() => parseManifest('{"format":"other"}')).toThrow(/apollo-persisted-query-manifest/);
    expect(documentId('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is committed as npm run operations:manifest writes it', async () => {
    const committed = readFileSync(`${REPO_ROOT}/${MANIFEST_FILE}`, 'utf8');
    expect(await generateManifest(await readOperationDocuments())).toBe(committed);
  });
});
