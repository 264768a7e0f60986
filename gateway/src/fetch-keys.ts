import { createHash } from 'node:crypto';
import { Kind, OperationTypeNode, parse, type SelectionSetNode } from 'graphql';

/**
 * Which subgraph fetches may be shared between callers, and under which key (issue #10).
 *
 * Collapsing: identical query fetches in flight at the same moment are sent once. "Identical" is
 * the whole request: URL, body (query, variables, operation name) and every header sent, the
 * caller's Authorization and client address among them, so an answer only ever goes to callers
 * who sent the very same credential. The one header left out is the request id: it only labels
 * logs, and keeping it would make every fetch unique.
 *
 * Caching: only public catalog answers for anonymous callers (no Authorization at all), from the
 * catalog's subgraph, for a query whose root fields are all public catalog reads, and for entity
 * fetches of catalog types only. Nothing sent with a credential is ever cached; entity fetches of
 * catalog types are public and sent without one (see `isPublicEntityFetch`).
 */

/** The header that only labels logs; every other header is part of the collapsing key. */
const LOG_ONLY_HEADERS = new Set(['x-request-id']);
/** RemoteGraphQLDataSource writes `{"query":"<operation>",...}`; the planner prints `query ...` or `{ ...`. */
const QUERY_BODY = /^\{"query":"(query\b|\{)/;

export interface SubgraphFetch {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The collapsing key, or undefined for a fetch that must always be sent on its own (a mutation). */
export function collapseKey(fetch: SubgraphFetch): string | undefined {
  if (!QUERY_BODY.test(fetch.body)) return undefined;
  const headers = Object.entries(fetch.headers)
    .filter(([name]) => !LOG_ONLY_HEADERS.has(name.toLowerCase()))
    .map(([name, value]) => `${name.toLowerCase()}:${value}`)
    .sort();
  return `${fetch.url}\n${headers.join('\n')}\n${fetch.body}`;
}

export interface PublicCatalogRules {
  /** The subgraph whose public answers may be cached: the catalog's. */
  subgraph: string;
  /** Root query fields that are public reads of the catalog. */
  rootFields: ReadonlySet<string>;
  /** Entity types whose fetch by key is public for an anonymous caller. */
  entityTypes: ReadonlySet<string>;
  /**
   * Fields that change with no catalog event (stock): an entity fetch selecting one is only ever
   * cached for anonymous callers, as before; a customer's fetch of it goes with the credential,
   * uncached, so an order's page shows the stock its reservation left at once.
   */
  volatileFields: ReadonlySet<string>;
}

export const PUBLIC_CATALOG: PublicCatalogRules = {
  subgraph: 'product',
  rootFields: new Set(['products', 'product', 'brands', 'categories']),
  entityTypes: new Set(['Product', 'Brand', 'Category']),
  volatileFields: new Set(['available', 'inStock', 'updatedAt']),
};

/** What a fetch document is: `entities` an `_entities` fetch of stable fields, `volatile-entities` one of stock too. */
export type DocumentKind = 'public' | 'entities' | 'volatile-entities' | 'no';

/** The planner sends a small, fixed set of fetch documents: what each one is is decided once. */
const MAX_REMEMBERED_DOCUMENTS = 1_000;

/**
 * How a public catalog fetch is kept: a root-field fetch as its whole answer under one key; an
 * `_entities` fetch as one entry per representation, so a Dashboard's products are shared by every
 * customer whose orders hold them, whichever other products each fetch asks for.
 */
export type CachePlan =
  | { kind: 'answer'; keys: [string] }
  | { kind: 'entities'; keys: string[]; request: FetchRequest; representations: object[] };

export interface FetchRequest {
  query?: unknown;
  variables?: { representations?: unknown; [name: string]: unknown };
  [field: string]: unknown;
}

export class PublicCatalogCacheability {
  private readonly documents = new Map<string, DocumentKind>();

  constructor(private readonly rules: PublicCatalogRules = PUBLIC_CATALOG) {}

  /**
   * An `_entities` fetch of the catalog's public types (Product, ...) selecting no stock field. The
   * catalog answers it the same for every caller (its reference resolvers never read the viewer), so
   * the data source sends it without the caller's credential: the answer is then an anonymous one,
   * and may be shared and cached, which is right only for what the catalog's events announce.
   */
  isPublicEntityFetch(subgraph: string, query: string | undefined, variables: FetchRequest['variables']): boolean {
    return (
      subgraph === this.rules.subgraph &&
      query !== undefined &&
      this.classify(query) === 'entities' &&
      this.publicRepresentations(variables?.representations)
    );
  }

  /** Where an anonymous public catalog fetch is kept, or undefined when it must not be cached. */
  cachePlan(subgraph: string, fetch: SubgraphFetch): CachePlan | undefined {
    if (subgraph !== this.rules.subgraph) return undefined;
    if (Object.keys(fetch.headers).some((name) => name.toLowerCase() === 'authorization')) return undefined;
    if (!QUERY_BODY.test(fetch.body)) return undefined;
    let request: FetchRequest;
    try {
      request = JSON.parse(fetch.body);
    } catch {
      return undefined;
    }
    if (typeof request.query !== 'string') return undefined;
    const kind = this.classify(request.query);
    if (kind === 'public') return { kind: 'answer', keys: [`a:${digest(fetch.url, fetch.body)}`] };
    if (kind === 'no') return undefined;
    // Anonymous: stable and stock fields alike, up to the TTL (operations.md).
    const { representations, ...others } = request.variables ?? {};
    if (!this.publicRepresentations(representations)) return undefined;
    // The same selection (query, URL, any other variables) of the same entity is the same answer.
    const selection = digest(fetch.url, request.query, JSON.stringify(others));
    const keys = representations.map((entity) => `e:${selection}:${JSON.stringify(entity)}`);
    return { kind: 'entities', keys, request, representations };
  }

  private classify(query: string): DocumentKind {
    const known = this.documents.get(query);
    if (known) return known;
    const kind = classifyDocument(query, this.rules);
    if (this.documents.size >= MAX_REMEMBERED_DOCUMENTS) this.documents.clear();
    this.documents.set(query, kind);
    return kind;
  }

  private publicRepresentations(representations: unknown): representations is object[] {
    return (
      Array.isArray(representations) &&
      representations.length > 0 &&
      representations.every(
        (representation) =>
          typeof representation === 'object' &&
          representation !== null &&
          this.rules.entityTypes.has((representation as { __typename?: unknown }).__typename as string),
      )
    );
  }
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url');
}

/** One query operation whose root selects only public fields (`entities`: only `_entities`). */
export function classifyDocument(query: string, rules: PublicCatalogRules): DocumentKind {
  let document: ReturnType<typeof parse>;
  try {
    document = parse(query);
  } catch {
    return 'no';
  }
  const [operation, ...rest] = document.definitions;
  if (rest.length > 0 || operation?.kind !== Kind.OPERATION_DEFINITION) return 'no';
  if (operation.operation !== OperationTypeNode.QUERY) return 'no';
  const fields = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    // Fragments at the root would need resolving; the planner does not write them there.
    if (selection.kind !== Kind.FIELD) return 'no';
    if (selection.name.value !== '__typename') fields.add(selection.name.value);
  }
  if (fields.size === 0) return 'no';
  if (fields.has('_entities')) {
    if (fields.size > 1) return 'no';
    return selectsAny(operation.selectionSet, rules.volatileFields) ? 'volatile-entities' : 'entities';
  }
  return [...fields].every((field) => rules.rootFields.has(field)) ? 'public' : 'no';
}

/** Whether any of `names` is selected anywhere below (the planner writes no named fragments here: see above). */
function selectsAny(selectionSet: SelectionSetNode, names: ReadonlySet<string>): boolean {
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD && names.has(selection.name.value)) return true;
    return (
      'selectionSet' in selection && selection.selectionSet !== undefined && selectsAny(selection.selectionSet, names)
    );
  });
}
