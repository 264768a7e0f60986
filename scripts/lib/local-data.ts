// Where `npm start` keeps what the servers it runs itself store, and whether they still run: both
// `npm start` and `npm run reset` need to know.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT } from './supergraph-config.ts';

/**
 * The project's git-ignored `.data/`. START_DATA_DIR moves it, so that a test can run its own
 * embedded servers without touching a developer's data.
 */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.START_DATA_DIR || join(REPO_ROOT, '.data'));
}

/** A path as a person reads it: relative to the repository when inside it. */
export function shown(path: string): string {
  const inside = relative(REPO_ROOT, path);
  return inside && !inside.startsWith('..') ? inside : path;
}

/** The pid files of the servers `npm start` runs: PostgreSQL writes its own, nats-server is told to (-P). */
export const pidFiles = (dataDir: string) => ({
  PostgreSQL: join(dataDir, 'postgres', 'postmaster.pid'),
  NATS: join(dataDir, 'nats.pid'),
});

/** The names of the servers whose pid file names a live process (a stale file after a crash does not count). */
export function runningServers(dataDir: string): string[] {
  return Object.entries(pidFiles(dataDir))
    .filter(([, file]) => isAlive(readPid(file)))
    .map(([name]) => name);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (PostgreSQL run as `postgres` by a non-root user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
