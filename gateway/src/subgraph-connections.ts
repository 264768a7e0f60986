import { STATUS_CODES } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { BoundedSlots, BUSY } from '@commerce-supergraph/shared/bounded-slots';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { Pool, fetch as poolFetch } from 'undici';
import type { StoredAnswer } from './response-store.js';

export type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

export interface SubgraphConnectionSettings {
  /** How long an idle connection stays in the pool; below the subgraph's keep-alive timeout. */
  keepAliveMs: number;
  /** The most connections open to the subgraph at once; further fetches wait for one. */
  connections: number;
  /** Fetches that may wait for a connection; beyond, they are refused at once (SubgraphBusyError). */
  maxQueued: number;
  /** How long a fetch may wait for a connection before it is refused (SubgraphBusyError). */
  maxWaitMs: number;
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

/**
 * A fetch that found no connection free in time and was not sent: the subgraph is busier than it
 * answers (a flash sale). The data source turns it into TOO_MANY_REQUESTS; nothing was done.
 */
export class SubgraphBusyError extends Error {
  constructor() {
    super('no connection to the subgraph came free in time; the request was not sent');
    this.name = 'SubgraphBusyError';
  }
}

/** Fetches at once to a subgraph that was just unreachable; each answered one allows one more. */
export const SLOW_START_CONNECTIONS = 2;

const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * One undici keep-alive pool per subgraph (issue #10). Its idle connections are closed after
 * `keepAliveMs`; the subgraph's `Keep-Alive: timeout=N` hint (less 2 s) may shorten that, never
 * lengthen it. The subgraphs keep idle connections longer (SUBGRAPH_KEEP_ALIVE_TIMEOUT_MS), so
 * the gateway is always the side that closes an idle connection, and never writes a request onto
 * one the subgraph is closing at the same moment.
 *
 * The pool holds at most `connections` (GATEWAY_SUBGRAPH_CONNECTIONS); more fetches at once wait
 * here for one. Unbounded, a subgraph coming back after a restart met every waiting fetch at once
 * on a new connection each: the fault suite saw 350 connections queue in the order subgraph's
 * accept queue, which Node drains only as fast as it serves them, so a new connection (a load
 * balancer's `/ready`) waited 2-6 s behind them. The readiness probe has a connection of its own,
 * so it never waits behind the fetches either.
 *
 * Bounded, the same happened on a loaded machine with 16 a worker: Node accepts one queued
 * connection per turn of its event loop (libuv since 1.45), and a restarted subgraph's loop ran
 * 100-150 ms a turn, so the 32 connections of two workers held its `/ready` 1.4-2.1 s (0.5-1.2 s
 * with what follows; docs/operations.md, "Fault suite"). Hence the slow start: once a fetch found
 * the subgraph unreachable, at most SLOW_START_CONNECTIONS fetches run at once, one more for each
 * that gets an answer, back up to `connections`, so new connections reach the subgraph about as fast
 * as it serves them. While it still refuses connections, fetches beyond those fail at once (as they
 * would by trying) rather than wait and be refused as busy; once a connection opens, they wait for a
 * slot as usual. A lower bound would do the same for restarts and cost throughput every day (8 a
 * worker: 99-113 orders/s in the burst of bench:orders, against 124-135 with 16).
 *
 * The wait is bounded too (`maxQueued`, `maxWaitMs`): past them a fetch is not sent at all but
 * refused (SubgraphBusyError), so more clients than a subgraph serves get quick refusals instead
 * of answers that take ever longer, and the subgraph's own back-pressure (placeOrder's) sees them.
 */
export function createSubgraphConnections(url: string, settings: SubgraphConnectionSettings): SubgraphConnections {
  const origin = new URL(url).origin;
  const keepAlive = { keepAliveTimeout: settings.keepAliveMs, keepAliveMaxTimeout: settings.keepAliveMs };
  const pool = new Pool(origin, { ...keepAlive, connections: settings.connections });
  const probes = new Pool(origin, { ...keepAlive, connections: 1 });
  // Set while the subgraph refuses connections (see fetcher); a connection opened or an answer clears it.
  let down: SubgraphUnreachableError | undefined;
  pool.on('connect', () => {
    down = undefined;
    settings.log.debug({ subgraphOrigin: origin }, 'subgraph connection opened');
  });
  pool.on('disconnect', (_origin, _targets, error) => {
    settings.log.debug({ subgraphOrigin: origin, reason: error.message }, 'subgraph connection closed');
  });

  // undici's request API, not its fetch: WHATWG fetch builds Request, Headers and web streams for
  // every call, which a gateway profile showed costing more than the HTTP itself. The answer is read
  // whole here, as the data source would read it anyway.
  const slots = new BoundedSlots({
    maxConcurrent: settings.connections,
    maxQueued: settings.maxQueued,
    maxWaitMs: settings.maxWaitMs,
  });
  const fetcher: Fetcher = async (input, init) => {
    // While it is down, the few fetches in flight find out whether it is back; the others fail at
    // once as they would have, instead of queueing behind them and being refused as busy.
    if (down && slots.full) throw new SubgraphUnreachableError(down.cause);
    try {
      const answer = await slots.run(() => send(input, init));
      if (answer === BUSY) throw new SubgraphBusyError();
      // An answer over a connection already open (no 'connect' to clear it) means it is back too.
      down = undefined;
      return answer;
    } catch (error) {
      // Down or restarting (not a kept-alive connection it just closed): slow start when it is back.
      if (error instanceof SubgraphUnreachableError && !error.connectionLost) {
        down = error;
        slots.narrow(SLOW_START_CONNECTIONS);
      }
      throw error;
    }
  };
  const send: Fetcher = async (input, init) => {
    const target = new URL(String(input));
    try {
      const { statusCode, headers, body } = await pool.request({
        path: target.pathname + target.search,
        method: (init?.method ?? 'POST') as 'POST',
        headers: init?.headers as Record<string, string>,
        body: init?.body as string | undefined,
      });
      const contentType = headers['content-type'];
      const answer: StoredAnswer = {
        status: statusCode,
        contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? '',
        body: await body.text(),
      };
      return new BufferedResponse(answer) as unknown as FetcherResponse;
    } catch (error) {
      throw new SubgraphUnreachableError(error);
    }
  };

  return {
    fetcher,
    async probe(timeoutMs) {
      const readyUrl = new URL('ready', url);
      const response = await poolFetch(readyUrl, {
        dispatcher: probes,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`${readyUrl} is not ready (HTTP ${response.status})`);
    },
    close: async () => {
      await Promise.all([pool.close(), probes.close()]);
    },
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

/**
 * What the data source reads of a fetch response (status, Content-Type, the body as JSON or text),
 * over an answer already read whole. Each `json()` parses anew: no two callers share an object.
 */
export class BufferedResponse {
  readonly headers: { get(name: string): string | null };

  constructor(readonly answer: StoredAnswer) {
    this.headers = {
      get: (name) => (name.toLowerCase() === 'content-type' ? answer.contentType || null : null),
    };
  }

  get status(): number {
    return this.answer.status;
  }

  get ok(): boolean {
    return this.answer.status >= 200 && this.answer.status < 300;
  }

  get statusText(): string {
    return STATUS_CODES[this.answer.status] ?? '';
  }

  async text(): Promise<string> {
    return this.answer.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.answer.body);
  }
}
