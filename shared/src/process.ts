import { ConfigError } from './config.js';
import { createLogger } from './logging.js';

interface Service {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * What every entry point does: build the service, start it, and stop it cleanly on SIGTERM or
 * SIGINT (in-flight requests finish, connections close). A bad configuration is one clear
 * message and exit code 1, not a stack trace.
 */
export async function runService(name: string, create: () => Service): Promise<void> {
  const log = createLogger(name);
  let service: Service;
  try {
    service = create();
    await service.start();
  } catch (error) {
    if (error instanceof ConfigError) console.error(`${name}: ${error.message}`);
    else log.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
  let stopping = false;
  // Ctrl-C reaches the whole process group and `npm start` then sends SIGTERM too: stop once.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await service.stop();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
