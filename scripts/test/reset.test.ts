import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

/** `npm run reset` (scripts/reset.ts) for real, on a data folder of the test's own (START_DATA_DIR). */
const SCRIPT = fileURLToPath(new URL('../reset.ts', import.meta.url));
let root: string;
let data: string;

beforeEach(async () => {
  root ??= await mkdtemp(join(tmpdir(), 'reset-test-'));
  data = join(root, `data-${Math.random().toString(36).slice(2)}`);
  await mkdir(join(data, 'postgres'), { recursive: true });
  await writeFile(join(data, 'postgres', 'PG_VERSION'), '18\n');
});
afterAll(() => root && rm(root, { recursive: true, force: true }));

const reset = (...args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    // stdin is a pipe, not a terminal: no one can answer the question.
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { ...process.env, START_DATA_DIR: data } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` }),
    );
  });

describe('npm run reset', () => {
  it('deletes the data folder with --yes', async () => {
    const { code, output } = await reset('--yes');
    expect(code).toBe(0);
    expect(output).toContain(`Deleted ${data}`);
    expect(existsSync(data)).toBe(false);
  });

  it('asks first, and without a terminal to answer it deletes nothing', async () => {
    const { code, output } = await reset();
    expect(code).toBe(1);
    expect(output).toContain('npm run reset -- --yes');
    expect(existsSync(join(data, 'postgres', 'PG_VERSION'))).toBe(true);
  });

  it('refuses while the servers of npm start still run on it', async () => {
    // A live process in the pid files, as PostgreSQL and nats-server write them.
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      await writeFile(join(data, 'postgres', 'postmaster.pid'), `${alive.pid}\n${data}/postgres\n`);
      await writeFile(join(data, 'nats.pid'), String(alive.pid));
      const { code, output } = await reset('--yes');
      expect(code).toBe(1);
      expect(output).toContain('PostgreSQL and NATS from npm start still run');
      expect(existsSync(data)).toBe(true);
    } finally {
      alive.kill();
    }
  });

  it('deletes past a stale pid file a crash left behind', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeFile(join(data, 'postgres', 'postmaster.pid'), `${gone.pid}\n`);
    expect((await reset('--yes')).code).toBe(0);
    expect(existsSync(data)).toBe(false);
  });

  it('says so when there is nothing to delete', async () => {
    await rm(data, { recursive: true });
    expect(await reset('--yes')).toEqual({ code: 0, output: `Nothing to delete: ${data} does not exist.\n` });
  });
});
