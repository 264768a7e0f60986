import { createHash } from 'node:crypto';
import { Kind, OperationTypeNode, parse } from 'graphql';

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
 * fetches of catalog types only. Nothing sent with a credential is ever cached.
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
}

export const PUBLIC_CATALOG: PublicCatalogRules = {
  subgraph: 'product',
  rootFields: new Set(['products', 'product', 'brands', 'categories']),
  entityTypes: new Set(['Product', 'Brand', 'Category']),
};

/** The planner sends a small, fixed set of fetch documents: what each one is is decided once. */
const MAX_REMEMBERED_DOCUMENTS = 1_000;

export class PublicCatalogCacheability {
  private readonly documents = new Map<string, 'public' | 'entities' | 'no'>();

  constructor(private readonly rules: PublicCatalogRules = PUBLIC_CATALOG) {}

  /** The cache key of an anonymous public catalog fetch, or undefined when it must not be cached. */
  cacheKey(subgraph: string, fetch: SubgraphFetch): string | undefined {
    if (subgraph !== this.rules.subgraph) return undefined;
    if (Object.keys(fetch.headers).some((name) => name.toLowerCase() === 'authorization')) return undefined;
    if (!QUERY_BODY.test(fetch.body)) return undefined;
    let request: { query?: unknown; variables?: { representations?: unknown } };
    try {
      request = JSON.parse(fetch.body);
    } catch {
      return undefined;
    }
    if (typeof request.query !== 'string') return undefined;
    const kind = this.classify(request.query);
    if (kind === 'no') return undefined;
    if (kind === 'entities' && !this.publicRepresentations(request.variables?.representations)) return undefined;
    return createHash('sha256').update(fetch.url).update('\n').update(fetch.body).digest('base64url');
  }

  private classify(query: string): 'public' | 'entities' | 'no' {
    const known = this.documents.get(query);
    if (known) return known;
    const kind = classifyDocument(query, this.rules);
    if (this.documents.size >= MAX_REMEMBERED_DOCUMENTS) this.documents.clear();
    this.documents.set(query, kind);
    return kind;
  }

  private publicRepresentations(representations: unknown): boolean {
    return (
      Array.isArray(representations) &&
      representations.every(
        (representation) =>
          typeof representation === 'object' &&
          representation !== null &&
          this.rules.entityTypes.has((representation as { __typename?: unknown }).__typename as string),
      )
    );
  }
}

/** One query operation whose root selects only public fields (`entities`: only `_entities`). */
export function classifyDocument(query: string, rules: PublicCatalogRules): 'public' | 'entities' | 'no' {
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
  if (fields.has('_entities')) return fields.size === 1 ? 'entities' : 'no';
  return [...fields].every((field) => rules.rootFields.has(field)) ? 'public' : 'no';
}
