import { createServer } from 'node:http';
import type { Logger } from 'pino';
import { listen, type RunningServer } from '../http/server.js';
import type { ServiceMetrics } from './metrics.js';
import { type MetricsEndpoint, type MetricsSettings, serveMetrics } from './metrics-endpoint.js';

/** With METRICS_PORT: a listener that answers `/metrics` only. Undefined when no port is configured. */
export async function startMetricsServer(
  metrics: ServiceMetrics,
  settings: MetricsSettings,
  log: Logger,
): Promise<RunningServer | undefined> {
  if (settings.port === undefined) return undefined;
  const endpoint: MetricsEndpoint = { metrics, token: settings.token };
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/metrics') {
      res.statusCode = 404;
      res.end('Not found\n');
      return;
    }
    serveMetrics(req, res, endpoint).catch((error: unknown) => {
      log.error({ err: error }, 'metrics scrape failed');
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  const running = await listen(server, settings.port);
  log.info({ port: running.port }, 'metrics served on their own port');
  return { ...running, url: `http://127.0.0.1:${running.port}/metrics` };
}
