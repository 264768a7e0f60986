import { ConfigError, ConfigReader } from './config.js';
import { createLogger } from './logging.js';
import { startTracing } from './observability/tracing.js';
import { readShutdownTimeoutMs } from './service-config.js';
import { isWorker, superviseWorkers, type WorkerOptions } from './workers.js';

interface Service {
  start(): Promise<unknown>;
  stop(): Promise<void>;
  /** A service that can fail for good while running (see SubgraphService.onFatal). */
  onFatal?(listener: (error: Error) => void): void;
}

/** Time on top of the service's own shutdown bound before the process exits regardless. */
const EXIT_MARGIN_MS = 2_000;

/**
 * What every entry point does: build the service, start it, and stop it cleanly on SIGTERM or
 * SIGINT (in-flight requests finish, connections close). A bad configuration is one clear
 * message and exit code 1, not a stack trace. Stopping is bounded: after SHUTDOWN_TIMEOUT_SECONDS
 * (plus a margin) the process exits whatever is still open, with code 1. A service that reports a
 * fatal failure is stopped the same way and exits with code 1, so its supervisor restarts it.
 */
export async function runService(name: string, create: () => Service, workers?: WorkerOptions): Promise<void> {
  const log = createLogger(name);
  // Before the service is built: its HTTP server and event bus trace through the registered provider.
  const tracing = startTracing(name);
  if (tracing) log.info('tracing on: spans go to the OTLP exporter (OTEL_EXPORTER_OTLP_*)');
  let service: Service;
  let shutdownTimeoutMs: number;
  try {
    const reader = new ConfigReader();
    shutdownTimeoutMs = readShutdownTimeoutMs(reader);
    const count = workers ? reader.int(workers.variable, { default: workers.default, min: 1, max: 64 }) : 1;
    reader.done();
    // Several workers: this process only starts and stops them (workers.ts); each runs the service.
    if (count > 1 && !isWorker()) return await superviseWorkers(name, count, log, shutdownTimeoutMs);
    service = create();
    await service.start();
  } catch (error) {
    if (error instanceof ConfigError) console.error(`${name}: ${error.message}`);
    else log.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
  let stopping = false;
  // Ctrl-C reaches the whole process group and `npm start` then sends SIGTERM too: stop once.
  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    setTimeout(() => {
      log.error({ waitedMs: shutdownTimeoutMs + EXIT_MARGIN_MS }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, shutdownTimeoutMs + EXIT_MARGIN_MS).unref();
    try {
      await service.stop();
      // The last spans (the shutdown's own included) leave before the process does.
      await tracing?.shutdown().catch((error: unknown) => log.warn({ err: error }, 'exporting the last spans failed'));
      process.exit(exitCode);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  service.onFatal?.((error) => void shutdown(`fatal: ${error.message}`, 1));
}
