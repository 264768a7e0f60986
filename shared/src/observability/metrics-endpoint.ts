import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigReader, Env } from '../config.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * Where `/metrics` is served (docs/operations.md, Metrics). METRICS_PORT: on a port of its own, which
 * a deployment keeps off the public network (the GraphQL port then does not answer `/metrics`).
 * METRICS_TOKEN: a scraper must send `Authorization: Bearer <token>`, on whichever port serves it.
 * With neither, development serves it on the GraphQL port as it is, and production does not serve it.
 */
export interface MetricsSettings {
  port?: number;
  token?: string;
}

export function readMetricsConfig(reader: ConfigReader, env: Env = process.env): MetricsSettings {
  return {
    ...(env.METRICS_PORT ? { port: reader.int('METRICS_PORT', { min: 0, max: 65_535 }) } : {}),
    // A secret like the others: at least 32 bytes in production, never logged.
    ...(env.METRICS_TOKEN ? { token: reader.secret('METRICS_TOKEN') } : {}),
  };
}

/** What a server needs to answer `/metrics`: the registry and the token it must see, if any. */
export interface MetricsEndpoint {
  metrics: ServiceMetrics;
  token?: string;
}

/** The endpoint the GraphQL port serves, or undefined when that port must not answer `/metrics`. */
export function graphqlPortMetrics(
  metrics: ServiceMetrics,
  settings: MetricsSettings = {},
  production = false,
): MetricsEndpoint | undefined {
  if (settings.port !== undefined) return undefined;
  if (settings.token !== undefined) return { metrics, token: settings.token };
  return production ? undefined : { metrics };
}

/** Answers a scrape: 401 without the right bearer token (when one is set), else the exposition text. */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: MetricsEndpoint,
): Promise<void> {
  if (endpoint.token !== undefined && !bearerMatches(req.headers.authorization, endpoint.token)) {
    res.statusCode = 401;
    res.setHeader('www-authenticate', 'Bearer realm="metrics"');
    res.end('Unauthorized\n');
    return;
  }
  const { contentType, body } = await endpoint.metrics.exposition();
  res.statusCode = 200;
  res.setHeader('content-type', contentType);
  res.end(body);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  // Constant time, so the token cannot be guessed a byte at a time from response times.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
