import { buildManifest, manifestText } from '@commerce-supergraph/gateway/persisted-documents';
import { composeSupergraph } from '../lib/compose.ts';
import { MANIFEST_FILE } from '../lib/operations-manifest.ts';
import type { SchemaCheckInput } from '../lib/schema-check.ts';

/**
 * In-memory subgraph schemas and a builder of `runSchemaCheck` inputs: by default every artifact
 * matches the code and the base is today's supergraph, so each test changes only what it is about.
 */

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])';

export const CUSTOMER = `${LINK}

type Query {
  me: Customer
  legacyField: String
}

type Customer @key(fields: "id") {
  id: ID!
  name: String!
  tier: Tier!
  internalNote: String @inaccessible
}

enum Tier {
  BASIC
  GOLD
}
`;

export const ORDER = `${LINK}

type Query {
  orders: [Order!]!
}

type Order {
  id: ID!
  customer: Customer!
}

type Customer @key(fields: "id", resolvable: false) {
  id: ID!
}
`;

export const OPERATIONS = `query Me {
  me { id name tier }
}

query Orders {
  orders { id customer { id name } }
}
`;

/** The supergraph of these subgraph schemas, or '' when they do not compose. */
export function composed(subgraphs: Record<string, string>): string {
  const outcome = composeSupergraph(
    Object.entries(subgraphs).map(([name, sdl]) => ({ name, routingUrl: `http://${name}/graphql`, sdl })),
  );
  return outcome.ok ? outcome.supergraphSdl : '';
}

export interface Scenario {
  /** The committed schema.graphql of each subgraph. */
  committed?: Record<string, string>;
  /** What each subgraph's code prints; defaults to the committed schema (no drift). */
  emitted?: Record<string, string>;
  /** The committed supergraph.graphql; defaults to a fresh composition of `committed`. */
  supergraph?: string;
  /** supergraph.graphql at the base; defaults to the composition of CUSTOMER and ORDER. */
  base?: string | null;
  acknowledgements?: string;
  operations?: Record<string, string>;
  /** The committed manifest; defaults to the one the operations make, null when there is none. */
  manifest?: string | null;
}

/** The manifest text these documents make, as `npm run operations:manifest` writes it. */
export function manifestOf(documents: { file: string; source: string }[]): string | Error {
  try {
    return manifestText(buildManifest(documents));
  } catch (error) {
    return error as Error;
  }
}

export function scenario(options: Scenario = {}): SchemaCheckInput {
  const committed = options.committed ?? { customer: CUSTOMER, order: ORDER };
  const operations = Object.entries(options.operations ?? { 'customer.graphql': OPERATIONS }).map(([name, source]) => ({
    file: `gateway/operations/${name}`,
    source,
  }));
  const generated = manifestOf(operations);
  const manifest =
    options.manifest === undefined ? (generated instanceof Error ? undefined : generated) : options.manifest;
  return {
    federationVersion: '=2.14.4',
    subgraphs: Object.entries(committed).map(([name, sdl]) => ({
      name,
      routingUrl: `http://${name}/graphql`,
      file: `subgraphs/${name}/schema.graphql`,
      committed: sdl,
      emitted: options.emitted?.[name] ?? sdl,
    })),
    supergraph: { file: 'supergraph.graphql', committed: options.supergraph ?? composed(committed) },
    base:
      options.base === null
        ? { skipped: 'main has no supergraph.graphql' }
        : { label: 'main', sdl: options.base ?? composed({ customer: CUSTOMER, order: ORDER }) },
    acknowledgements: { file: 'schema-changes.acknowledged.yaml', text: options.acknowledgements },
    operations,
    manifest: { file: MANIFEST_FILE, committed: manifest ?? undefined, generated },
  };
}
