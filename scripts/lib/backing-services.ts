// Which PostgreSQL and NATS `npm start` gives the services: the ones named by DATABASE_URL and
// NATS_URL when set, else whatever answers at the usual local address, else (outside production)
// servers of its own with their data in the project's `.data/`.
import { type LocalServer, startEmbeddedPostgres } from './embedded-postgres.ts';
import { localDataDir, shown } from './local-data.ts';
import { findOnPath, NATS_INSTALL_HINT, startLocalNats } from './local-nats.ts';
import { pickPort, reachable } from './processes.ts';

/** What to do about one server: use a URL, run one locally, or stop with a line saying why. */
export type Choice = { use: string } | { runLocal: true } | { missing: string };

interface Kind {
  name: string;
  variable: string;
  /** The usual local address, tried when the variable is unset. */
  defaultUrl: string;
  defaultPort: number;
  /** How to start your own, for a given URL that does not answer. */
  startHint: string;
}

/**
 * START_PROBE_DATABASE_URL / START_PROBE_NATS_URL replace the usual address for tests, which point
 * them at a port given to nothing while the machine's own servers keep running.
 */
const kinds = (env: NodeJS.ProcessEnv) => ({
  postgres: {
    name: 'PostgreSQL',
    variable: 'DATABASE_URL',
    defaultUrl: env.START_PROBE_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    defaultPort: 5432,
    startHint: `start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or: docker compose up -d postgres)`,
  },
  nats: {
    name: 'NATS',
    variable: 'NATS_URL',
    defaultUrl: env.START_PROBE_NATS_URL || 'nats://127.0.0.1:4222',
    defaultPort: 4222,
    startHint: `start it with: nats-server -js -a 127.0.0.1 -p 4222 (or: docker compose up -d nats)`,
  },
});

/** The decision alone, given what was probed: a set variable always wins; production never runs its own. */
export function choose(kind: Kind, given: string | undefined, answers: boolean, production: boolean): Choice {
  const url = given || kind.defaultUrl;
  if (answers) return { use: url };
  if (given) return { missing: `${kind.name} is not reachable at ${url} (${kind.variable}): ${kind.startHint}` };
  if (production) {
    return {
      missing: `${kind.name} is not reachable at ${url}, and NODE_ENV=production never runs one of its own: set ${kind.variable}`,
    };
  }
  return { runLocal: true };
}

export interface Backing {
  /** DATABASE_URL and NATS_URL for every service. */
  env: { DATABASE_URL: string; NATS_URL: string };
  /** The servers started here, to stop after the services. */
  servers: LocalServer[];
}

/**
 * Probes both, refuses before starting anything when one is missing (so a machine without
 * nats-server fails in seconds), then starts what is needed and says so in one line each.
 */
export async function prepareBacking(env: NodeJS.ProcessEnv = process.env): Promise<Backing | { problems: string[] }> {
  const { postgres, nats } = kinds(env);
  const production = env.NODE_ENV === 'production';
  const probe = async (kind: Kind, given: string | undefined) => {
    const url = given || kind.defaultUrl;
    return choose(kind, given, await reachable(url, kind.defaultPort), production);
  };
  const [database, messaging] = await Promise.all([probe(postgres, env.DATABASE_URL), probe(nats, env.NATS_URL)]);
  const natsServer = findOnPath('nats-server', env.PATH);
  const problems = [database, messaging].flatMap((choice) => ('missing' in choice ? [choice.missing] : []));
  if ('runLocal' in messaging && !natsServer) {
    problems.push(`NATS is not reachable at ${nats.defaultUrl} and nats-server is not on PATH: ${NATS_INSTALL_HINT}`);
  }
  if (problems.length > 0) return { problems };

  const dataDir = localDataDir(env);
  const servers: LocalServer[] = [];
  const ensure = async (choice: Choice, kind: Kind, start: (port: number) => Promise<LocalServer>, port: number) => {
    if ('use' in choice) return choice.use;
    const server = await start(await pickPort(port));
    servers.push(server);
    console.log(
      `${kind.name}: nothing answers at ${new URL(kind.defaultUrl).host}, so npm start runs ${server.what} at ${server.url} (data kept in ${shown(server.data)}; Ctrl-C stops it)`,
    );
    return server.url;
  };
  try {
    // One after the other: a failure leaves nothing half-started that the caller does not know of.
    const DATABASE_URL = await ensure(database, postgres, (port) => startEmbeddedPostgres(dataDir, port), 5433);
    const NATS_URL = await ensure(messaging, nats, (port) => startLocalNats(natsServer as string, dataDir, port), 4223);
    return { env: { DATABASE_URL, NATS_URL }, servers };
  } catch (error) {
    await stopServers(servers);
    return { problems: [(error as Error).message] };
  }
}

/** Stops the servers started here, newest first. */
export async function stopServers(servers: LocalServer[]): Promise<void> {
  for (const server of servers.toReversed()) await server.stop().catch(() => undefined);
}
