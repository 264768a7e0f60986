import { collapseKey, type PublicCatalogCacheability, type SubgraphFetch } from './fetch-keys.js';
import type { ResponseStore, StoredAnswer } from './response-store.js';
import { BufferedResponse, type Fetcher } from './subgraph-connections.js';

type FetcherInit = Parameters<Fetcher>[1];

export interface FetchSharingOptions {
  subgraph: string;
  /** Public catalog answers for anonymous callers; undefined: nothing is cached. */
  cache?: PublicCache;
}

/**
 * The public catalog cache shared by every subgraph's fetcher in one gateway. It is used only while
 * the gateway hears the catalog's change events (`live`): an answer is then never older than the
 * last change, up to the event's delivery, and never older than `ttlMs` in any case.
 */
export class PublicCache {
  /** Bumped by every invalidation: an answer fetched across one is not stored, it may predate the change. */
  private generation = 0;
  live = false;

  constructor(
    readonly store: ResponseStore,
    readonly cacheability: PublicCatalogCacheability,
    readonly ttlMs: number,
  ) {}

  get current(): number {
    return this.generation;
  }

  async invalidate(): Promise<void> {
    this.generation += 1;
    await this.store.clear();
  }
}

/**
 * Wraps a subgraph's fetcher: identical query fetches in flight at once are sent once (fetch-keys.ts
 * says what is identical), and anonymous public catalog answers are served from the cache. Every
 * caller gets a response of its own, parsed from the answer's text, so no object is ever shared
 * between two callers' results.
 */
export function shareFetches(fetcher: Fetcher, options: FetchSharingOptions): Fetcher {
  const inFlight = new Map<string, Promise<StoredAnswer>>();
  const { cache } = options;

  const send = async (url: string, init: FetcherInit, fetch: SubgraphFetch): Promise<StoredAnswer> => {
    const cacheKey = cache?.live ? cache.cacheability.cacheKey(options.subgraph, fetch) : undefined;
    if (cache && cacheKey) {
      const hit = await cache.store.get(cacheKey);
      if (hit) return hit;
    }
    const generation = cache?.current;
    const response = (await fetcher(url, init)) as unknown as BufferedResponse;
    const answer = response.answer;
    if (cache && cacheKey && cache.live && cache.current === generation && cacheable(answer)) {
      await cache.store.set(cacheKey, answer, cache.ttlMs);
    }
    return answer;
  };

  return async (input, init) => {
    const url = String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = typeof init?.body === 'string' ? init.body : undefined;
    if (body === undefined) return fetcher(input, init);
    const fetch = { url, headers, body };
    const key = collapseKey(fetch);
    if (key === undefined) return fetcher(input, init);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = send(url, init, fetch);
      inFlight.set(key, pending);
      const forget = () => inFlight.delete(key);
      pending.then(forget, forget);
    }
    return new BufferedResponse(await pending) as unknown as Awaited<ReturnType<Fetcher>>;
  };
}

/** Only a complete, successful answer: an error may be the caller's or passing, and is never kept. */
function cacheable(answer: StoredAnswer): boolean {
  if (answer.status !== 200 || !answer.contentType.startsWith('application/json')) return false;
  try {
    const parsed = JSON.parse(answer.body) as { errors?: unknown; data?: unknown };
    return parsed.errors === undefined && typeof parsed.data === 'object' && parsed.data !== null;
  } catch {
    return false;
  }
}
