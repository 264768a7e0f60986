import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { Pool, fetch as poolFetch } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

export interface SubgraphConnectionSettings {
  /** How long an idle connection stays in the pool; below the subgraph's keep-alive timeout. */
  keepAliveMs: number;
  log: Logger;
}

/** Every connection the gateway holds to one subgraph: the GraphQL fetches and the readiness probe. */
export interface SubgraphConnections {
  /** For the data source's `fetcher` option. Throws SubgraphUnreachableError when no answer came. */
  fetcher: Fetcher;
  /** Resolves when the subgraph's own `/ready` answers 2xx within `timeoutMs`. */
  probe(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A request to a subgraph that got no HTTP answer at all: refused, reset, timed out, or the name
 * did not resolve. The data source turns it into SERVICE_UNAVAILABLE; `code` is for the log only.
 */
export class SubgraphUnreachableError extends Error {
  readonly code: string | undefined;

  constructor(cause: unknown) {
    super('the subgraph did not answer', { cause });
    this.name = 'SubgraphUnreachableError';
    this.code = errorCode(cause);
  }

  /**
   * The connection was there and then closed with no answer: the kind of failure a request on a
   * connection the subgraph was just closing meets, as opposed to a subgraph that is down.
   */
  get connectionLost(): boolean {
    return this.code !== undefined && CONNECTION_LOST.has(this.code);
  }
}

const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * One undici keep-alive pool per subgraph (issue #10). Its idle connections are closed after
 * `keepAliveMs`; the subgraph's `Keep-Alive: timeout=N` hint (less 2 s) may shorten that, never
 * lengthen it. The subgraphs keep idle connections longer (SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS), so
 * the gateway is always the side that closes an idle connection, and never writes a request onto
 * one the subgraph is closing at the same moment.
 */
export function createSubgraphConnections(url: string, settings: SubgraphConnectionSettings): SubgraphConnections {
  const origin = new URL(url).origin;
  const pool = new Pool(origin, {
    keepAliveTimeout: settings.keepAliveMs,
    keepAliveMaxTimeout: settings.keepAliveMs,
  });
  pool.on('connect', () => settings.log.debug({ subgraphOrigin: origin }, 'subgraph connection opened'));
  pool.on('disconnect', (_origin, _targets, error) => {
    settings.log.debug({ subgraphOrigin: origin, reason: error.message }, 'subgraph connection closed');
  });

  const fetcher: Fetcher = async (input, init) => {
    try {
      // A subgraph never redirects; following one would leave this subgraph's pool.
      const response = await poolFetch(input, { ...init, redirect: 'manual', dispatcher: pool });
      return response as unknown as FetcherResponse;
    } catch (error) {
      throw new SubgraphUnreachableError(error);
    }
  };

  return {
    fetcher,
    async probe(timeoutMs) {
      const readyUrl = new URL('ready', url);
      const response = await poolFetch(readyUrl, {
        dispatcher: pool,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`${readyUrl} is not ready (HTTP ${response.status})`);
    },
    close: () => pool.close(),
  };
}

/** undici's fetch wraps the socket's error in `TypeError: fetch failed`; the code is on the cause. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
