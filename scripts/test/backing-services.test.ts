import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choose } from '../lib/backing-services.ts';
import { findOnPath } from '../lib/local-nats.ts';

const POSTGRES = {
  name: 'PostgreSQL',
  variable: 'DATABASE_URL',
  defaultUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  defaultPort: 5432,
  startHint: 'start it',
};
const GIVEN = 'postgres://app@db.internal:5432/app';

describe('choose', () => {
  it('uses a set DATABASE_URL that answers, and never replaces one that does not', () => {
    expect(choose(POSTGRES, GIVEN, true, false)).toEqual({ use: GIVEN });
    expect(choose(POSTGRES, GIVEN, false, false)).toEqual({
      missing: `PostgreSQL is not reachable at ${GIVEN} (DATABASE_URL): start it`,
    });
  });

  it('uses what answers at the usual address, else runs its own', () => {
    expect(choose(POSTGRES, undefined, true, false)).toEqual({ use: POSTGRES.defaultUrl });
    expect(choose(POSTGRES, '', true, false)).toEqual({ use: POSTGRES.defaultUrl });
    expect(choose(POSTGRES, undefined, false, false)).toEqual({ runLocal: true });
  });

  it('never runs its own in production', () => {
    expect(choose(POSTGRES, undefined, false, true)).toEqual({
      missing: `PostgreSQL is not reachable at ${POSTGRES.defaultUrl}, and NODE_ENV=production never runs one of its own: set DATABASE_URL`,
    });
    expect(choose(POSTGRES, undefined, true, true)).toEqual({ use: POSTGRES.defaultUrl });
  });
});

describe('findOnPath', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'find-on-path-'));
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await mkdir(join(dir, 'b', 'nats-dir'));
    await writeFile(join(dir, 'a', 'nats-server'), '');
    await writeFile(join(dir, 'b', 'nats-server'), '#!/bin/sh\n');
    await chmod(join(dir, 'b', 'nats-server'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds the first executable file on PATH, as a shell does', () => {
    const path = [join(dir, 'missing'), '', join(dir, 'a'), join(dir, 'b')].join(delimiter);
    // a/nats-server has no execute bit (not even root runs it); a directory is not a program.
    expect(findOnPath('nats-server', path)).toBe(join(dir, 'b', 'nats-server'));
    expect(findOnPath('nats-dir', path)).toBeUndefined();
    expect(findOnPath('nats-server', join(dir, 'a'))).toBeUndefined();
    expect(findOnPath('nats-server', '')).toBeUndefined();
  });
});
