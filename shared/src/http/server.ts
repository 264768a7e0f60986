import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { Logger } from 'pino';
import { type MetricsEndpoint, serveMetrics } from '../observability/metrics-endpoint.js';
import { extractContext, inSpan, SpanKind, tracingActive } from '../observability/tracing.js';
import { runInRequestScope } from '../request-scope.js';
import { deadline } from '../time.js';
import type { EventLoopPressure } from './load-shedding.js';
import { type RequestTarget, readBody, requestTarget } from './request-parts.js';

/** Requests larger than this are refused with 413 before they are parsed. */
const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;
/**
 * `Accept` values Apollo answers with `application/json` anyway: left out of what Apollo sees, so it
 * picks that type without a media-type negotiation per request (gateways send one of these).
 */
const PLAIN_ACCEPT = new Set(['application/json', '*/*']);
/** A readiness check that has not answered by then fails, so `/ready` always answers within 2 s. */
const DEFAULT_READINESS_TIMEOUT_MS = 1_500;

export interface GraphQLHttpRequest {
  headers: IncomingMessage['headers'];
  requestId: string;
  remoteAddress: string;
  log: Logger;
}

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  log: Logger;
  /** Builds the context of one request; a GraphQLError thrown here becomes the response. */
  context: (request: GraphQLHttpRequest) => Promise<TContext>;
  /**
   * Named readiness probes: what the service cannot work without (a subgraph's database). `/ready`
   * is 200 only when all resolve, each within `readinessTimeoutMs`.
   */
  readiness?: Record<string, () => Promise<unknown>>;
  readinessTimeoutMs?: number;
  /** What `/health` reports besides `status: ok` (e.g. the NATS connection); never changes its 200. */
  health?: () => Record<string, unknown>;
  /** Refuses a request before GraphQL sees it (e.g. a missing gateway secret): a status and reason. */
  guard?: (request: IncomingMessage) => { status: number; message: string } | undefined;
  maxBodyBytes?: number;
  /** Serves `/metrics` on this port (see observability/metrics-endpoint.ts for when it should). */
  metrics?: MetricsEndpoint;
  /** The service's name, on its trace spans. */
  service?: string;
  /** Refuses new GraphQL requests while the event loop is overloaded (probes are always answered). */
  pressure?: EventLoopPressure;
  /** Answers a request for any other path (e.g. the gateway's storefront files); 404 when absent or it declines. */
  fallback?: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops listening; in-flight requests get `graceMs` to finish, then their connections are cut. */
  close(graceMs?: number): Promise<void>;
}

/** Serves `/graphql` through Apollo's HTTP handler, plus `/health` and `/ready`. */
export function createGraphQLHttpServer<TContext extends BaseContext>(options: GraphQLHttpOptions<TContext>): Server {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const probe = readinessProbe(options.readiness ?? {}, options.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS);
  return createServer((req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    // Made on first use: most requests log nothing here, and a pino child costs a few microseconds.
    let requestLog: Logger | undefined;
    const log = () => {
      requestLog ??= options.log.child({ requestId });
      return requestLog;
    };
    const url = requestTarget(req.url);
    runInRequestScope(requestId, () =>
      traced(req, url.pathname, requestId, () => handle(req, res, url, requestId, log)),
    ).catch((error: unknown) => {
      log().error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.destroy();
    });
  });

  /** `/graphql` in a server span, continuing the caller's trace (its `traceparent` header); probes untraced. */
  function traced(req: IncomingMessage, path: string, requestId: string, work: () => Promise<void>): Promise<void> {
    // While tracing is off, not even the no-op span and context: they are per-request work for nothing.
    if (path !== '/graphql' || !tracingActive()) return work();
    const attributes = { 'http.request.method': req.method ?? 'GET', 'url.path': path, 'request.id': requestId };
    const parent = extractContext(req.headers);
    return inSpan(
      options.service ?? 'http',
      `${req.method} ${path}`,
      { kind: SpanKind.SERVER, attributes, parent },
      work,
    );
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: RequestTarget,
    requestId: string,
    log: () => Logger,
  ): Promise<void> {
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok', ...options.health?.() });
    if (url.pathname === '/ready') return sendJson(res, ...(await probe(log())));
    if (url.pathname === '/metrics' && options.metrics) return serveMetrics(req, res, options.metrics);
    if (url.pathname !== '/graphql') {
      if (await options.fallback?.(req, res, url.pathname)) return;
      return sendJson(res, 404, { error: 'Not found' });
    }

    if (options.pressure?.overloaded()) return options.pressure.refuse(res);
    const refusal = options.guard?.(req);
    if (refusal) return sendJson(res, refusal.status, { errors: [{ message: refusal.message }] });

    const raw = await readBody(req, maxBodyBytes);
    if (raw === 'too-large')
      return sendJson(res, 413, { errors: [{ message: `Request body over ${maxBodyBytes} bytes` }] });
    let body: unknown;
    if (raw.length > 0 && req.headers['content-type']?.includes('application/json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON' }] });
      }
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || (name === 'accept' && PLAIN_ACCEPT.has(value as string))) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const remoteAddress = req.socket.remoteAddress ?? 'unknown';
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () =>
        options.context({
          headers: req.headers,
          requestId,
          remoteAddress,
          get log() {
            return log();
          },
        }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/**
 * `/ready`: every check at once, each given `timeoutMs`, so the answer never waits on a database or
 * broker that does not answer. Requests that arrive while a probe runs share it (a load balancer
 * polling hard does not multiply the checks). A failing check is reported with its reason.
 */
function readinessProbe(checks: Record<string, () => Promise<unknown>>, timeoutMs: number) {
  let running: Promise<[number, unknown]> | undefined;
  const run = async (log: Logger): Promise<[number, unknown]> => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await deadline(Promise.resolve().then(check), timeoutMs, `readiness check ${name}`);
          return [name, undefined] as const;
        } catch (error) {
          return [name, error] as const;
        }
      }),
    );
    const failures = entries.filter(([, error]) => error !== undefined) as [string, unknown][];
    const ready = failures.length === 0;
    const body: Record<string, unknown> = {
      status: ready ? 'ready' : 'not ready',
      checks: Object.fromEntries(entries.map(([name, error]) => [name, error === undefined ? 'ok' : 'unavailable'])),
    };
    if (!ready) body.reasons = Object.fromEntries(failures.map(([name, error]) => [name, reason(error)]));
    for (const [check, error] of failures) log.warn({ err: error, check }, 'readiness check failed');
    return [ready ? 200 : 503, body];
  };
  return (log: Logger): Promise<[number, unknown]> => {
    running ??= run(log).finally(() => {
      running = undefined;
    });
    return running;
  };
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 300);

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}

/**
 * Listens (port 0 picks a free port, as tests do) and returns a close that lets in-flight requests
 * finish for up to `graceMs` (default 5 s), then cuts the connections still open.
 */
export async function listen(server: Server, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/graphql`,
    port: actual,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        cut.unref();
        server.close((error) => {
          clearTimeout(cut);
          return error ? reject(error) : resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
