import { collapseKey, type SubgraphFetch } from './fetch-keys.js';
import type { PublicCache } from './public-cache.js';
import type { StoredAnswer } from './response-store.js';
import { BufferedResponse, type Fetcher } from './subgraph-connections.js';

type FetcherInit = Parameters<Fetcher>[1];

export interface FetchSharingOptions {
  subgraph: string;
  /** Public catalog answers for anonymous callers; undefined: nothing is cached. */
  cache?: PublicCache;
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
    const sendBody = async (body: string) =>
      ((await fetcher(url, { ...init, body })) as unknown as BufferedResponse).answer;
    return cache ? cache.fetch(options.subgraph, fetch, sendBody) : sendBody(fetch.body);
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
