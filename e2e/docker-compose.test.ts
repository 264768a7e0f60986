import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readCreditStatusConfig } from '@commerce-supergraph/credit-status/config';
import { readCustomerConfig } from '@commerce-supergraph/customer/config';
import { readGatewayConfig } from '@commerce-supergraph/gateway/config';
import { selectPaymentProvider } from '@commerce-supergraph/order/app';
import { readOrderConfig } from '@commerce-supergraph/order/config';
import { readProductConfig } from '@commerce-supergraph/product/config';
import { publishedKeyPair } from '@commerce-supergraph/shared/auth/published-keys';
import { ConfigError } from '@commerce-supergraph/shared/config';
import { NATS_SERVICES, passwordVariable } from '@commerce-supergraph/test-support/nats-authorization';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * docker-compose.yml, docker-compose.dev.yml and docker-compose.dev.env as Compose reads them, without
 * a Docker daemon: the YAML is parsed (anchors and `<<` merge keys resolved), `${...}` is interpolated
 * per file with Compose's rules (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `$$`), an override is merged over the base (mappings merged, values replaced), and
 * each service's resulting environment is handed to that service's own configuration reader.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP_SERVICES = ['customer', 'product', 'credit-status', 'order', 'gateway'] as const;
type AppService = (typeof APP_SERVICES)[number];
/** Secrets: no default anywhere, only `${VAR:?message}`. */
const SECRETS = [
  'POSTGRES_PASSWORD',
  'GATEWAY_SECRET',
  'ADMIN_PASSWORD',
  'JWT_PRIVATE_KEY',
  'NATIONAL_ID_KEY',
  ...NATS_SERVICES.map(passwordVariable),
];
/** Not secret, but production has no default for them either. */
const REQUIRED = ['JWT_PUBLIC_KEYS', 'PAYMENT_PROVIDER'];

type Env = Record<string, string>;
type Tree = Record<string, any>;

const readText = (name: string) => readFile(join(ROOT, name), 'utf8');
const load = (text: string): Tree => parse(text, { merge: true });

/** Every `$` reference in the file, as written, with the variable it names. */
function references(text: string): { name: string; written: string }[] {
  return [...text.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g)].map((match) => ({
    name: (match[1] ?? match[2]) as string,
    written: match[0],
  }));
}

/** Compose's interpolation of one value; every `?` error is collected rather than thrown at the first. */
function interpolateValue(value: string, env: Env, errors: string[]): string {
  const pattern = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  return value.replace(pattern, (_, dollar, braced, operator, argument, bare) => {
    if (dollar) return '$';
    const name = (braced ?? bare) as string;
    const set = env[name];
    const missing = operator?.startsWith(':') ? set === undefined || set === '' : set === undefined;
    if (operator?.endsWith('?') && missing) {
      errors.push(`required variable ${name} is missing a value: ${argument}`);
      return '';
    }
    if (operator?.endsWith('-') && missing) return argument;
    return set ?? '';
  });
}

function interpolate(tree: unknown, env: Env, errors: string[]): any {
  if (typeof tree === 'string') return interpolateValue(tree, env, errors);
  if (Array.isArray(tree)) return tree.map((item) => interpolate(item, env, errors));
  if (tree && typeof tree === 'object') {
    return Object.fromEntries(Object.entries(tree).map(([key, value]) => [key, interpolate(value, env, errors)]));
  }
  return tree;
}

/** An override merged over the base: mappings merge key by key, anything else is replaced. */
function merge(base: unknown, override: unknown): any {
  if (base && override && typeof base === 'object' && typeof override === 'object' && !Array.isArray(base)) {
    const merged: Tree = { ...(base as Tree) };
    for (const [key, value] of Object.entries(override as Tree)) merged[key] = merge(merged[key], value);
    return merged;
  }
  return override;
}

/** `docker compose [-f ...] --env-file` without a daemon: each file interpolated, then merged in order. */
async function composeConfig(files: string[], env: Env): Promise<{ config: Tree; errors: string[] }> {
  const errors: string[] = [];
  let config: Tree = {};
  for (const file of files) config = merge(config, interpolate(load(await readText(file)), env, errors));
  return { config, errors };
}

/** A .env file as Compose reads it: KEY=value, 'single quotes' literal, "double quotes", # comments. */
function parseDotenv(text: string): Env {
  const env: Env = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) continue;
    const [, name, raw] = match as unknown as [string, string, string];
    if (raw.startsWith("'")) env[name] = raw.slice(1, raw.indexOf("'", 1));
    else if (raw.startsWith('"')) env[name] = JSON.parse(raw.slice(0, raw.lastIndexOf('"') + 1));
    else env[name] = raw.replace(/\s+#.*$/, '').trim();
  }
  return env;
}

/** Each service's own configuration reader, on the environment Compose gives it. */
const readers: Record<AppService, (env: Env) => unknown> = {
  customer: readCustomerConfig,
  product: readProductConfig,
  'credit-status': readCreditStatusConfig,
  order: (env) => {
    const config = readOrderConfig(env);
    selectPaymentProvider(config.paymentProvider);
    return config;
  },
  gateway: readGatewayConfig,
};

function problemsOf(service: AppService, env: Env): string[] {
  try {
    readers[service](env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const environmentOf = (config: Tree, service: string): Env => config.services[service].environment;

let base: Tree;
let baseText: string;
let devEnv: Env;

beforeAll(async () => {
  baseText = await readText('docker-compose.yml');
  base = load(baseText);
  devEnv = parseDotenv(await readText('docker-compose.dev.env'));
});

describe('docker-compose.yml', () => {
  it('takes every secret as a required variable with a message and no default, likewise the keys and PAYMENT_PROVIDER', () => {
    for (const name of [...SECRETS, ...REQUIRED]) {
      const written = references(baseText)
        .filter((reference) => reference.name === name)
        .map((reference) => reference.written);
      expect(written.length, name).toBeGreaterThan(0);
      for (const reference of written) expect(reference).toMatch(new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`));
    }
  });

  it('runs every service in production, fixed in the file: no variable (not a NODE_ENV in the shell) turns it off', () => {
    expect(references(baseText).map((reference) => reference.name)).not.toContain('NODE_ENV');
    for (const service of APP_SERVICES) expect(environmentOf(base, service).NODE_ENV, service).toBe('production');
  });

  it('gives the private key to the customer subgraph alone, and the public keys and gateway secret to all', () => {
    const services = Object.keys(base.services).filter(
      (name) => 'JWT_PRIVATE_KEY' in (base.services[name].environment ?? {}),
    );
    expect(services).toEqual(['customer']);
    for (const service of APP_SERVICES) {
      expect(Object.keys(environmentOf(base, service))).toEqual(
        expect.arrayContaining(['JWT_PUBLIC_KEYS', 'GATEWAY_SECRET', 'NODE_ENV']),
      );
    }
  });

  it('refuses to start without the secrets and keys, naming each', async () => {
    const { errors } = await composeConfig(['docker-compose.yml'], {});
    const missing = new Set(errors.map((error) => /required variable (\w+)/.exec(error)?.[1]));
    expect([...missing].sort()).toEqual([...SECRETS, ...REQUIRED].sort());
    expect(errors[0]).toMatch(/see README\.md \(Running in production\)$/);
  });

  it('refuses the published development values: every service stops, naming each', async () => {
    const { config, errors } = await composeConfig(['docker-compose.yml'], devEnv);
    expect(errors).toEqual([]);
    const published = 'is a development value published in the repository';
    expect(problemsOf('customer', environmentOf(config, 'customer'))).toEqual([
      expect.stringMatching(/^JWT_PUBLIC_KEYS holds the published development key/),
      `GATEWAY_SECRET ${published}: generate one (openssl rand -base64 48)`,
      `NATS_PASSWORD ${published}: generate one (openssl rand -base64 48)`,
      expect.stringMatching(/^JWT_PRIVATE_KEY is the published development key/),
      `ADMIN_PASSWORD ${published}: generate one (openssl rand -base64 48)`,
      'NATIONAL_ID_KEY is the development value published in the repository: generate one (openssl rand -base64 32)',
    ]);
    for (const service of ['product', 'credit-status', 'order'] as const) {
      expect(problemsOf(service, environmentOf(config, service)), service).toEqual([
        expect.stringMatching(/^JWT_PUBLIC_KEYS holds the published development key/),
        expect.stringMatching(/^GATEWAY_SECRET is a development value published/),
        `NATS_PASSWORD ${published}: generate one (openssl rand -base64 48)`,
      ]);
    }
    expect(problemsOf('gateway', environmentOf(config, 'gateway'))).toEqual([
      expect.stringMatching(/^JWT_PUBLIC_KEYS holds the published development key/),
      expect.stringMatching(/^GATEWAY_SECRET is a development value published/),
    ]);
  });

  it('runs NATS with the per-service users, and connects each subgraph as its own user with its own password', async () => {
    const { config, errors } = await composeConfig(['docker-compose.yml'], devEnv);
    expect(errors).toEqual([]);
    const nats = config.services.nats;
    expect(nats.command).toEqual(['-c', '/etc/nats/nats-server.conf']);
    expect(nats.volumes).toContain('./deploy/nats:/etc/nats:ro');
    for (const service of NATS_SERVICES) {
      const variable = passwordVariable(service);
      expect(nats.environment[variable], variable).toBe(devEnv[variable]);
      const env = environmentOf(config, service);
      expect(env.NATS_USER, service).toBe(service);
      expect(env.NATS_PASSWORD, service).toBe(devEnv[variable]);
    }
    expect(new Set(NATS_SERVICES.map((service) => devEnv[passwordVariable(service)])).size).toBe(4);
    expect(environmentOf(config, 'gateway')).not.toHaveProperty('NATS_PASSWORD');
  });
});

describe('development mode in Docker (docker-compose.dev.yml with docker-compose.dev.env)', () => {
  const DEV_FILES = ['docker-compose.yml', 'docker-compose.dev.yml'];

  it('switches every service to development and changes nothing else', async () => {
    const override = load(await readText('docker-compose.dev.yml'));
    expect(Object.keys(override.services).sort()).toEqual([...APP_SERVICES].sort());
    for (const service of APP_SERVICES)
      expect(override.services[service]).toEqual({ environment: { NODE_ENV: 'development' } });
  });

  it('starts every service, on the published development key and secrets', async () => {
    const { config, errors } = await composeConfig(DEV_FILES, devEnv);
    expect(errors).toEqual([]);
    for (const service of APP_SERVICES) {
      const env = environmentOf(config, service);
      expect(env.NODE_ENV).toBe('development');
      expect(problemsOf(service, env), service).toEqual([]);
    }
    const development = publishedKeyPair('development');
    const customer = readCustomerConfig(environmentOf(config, 'customer'));
    expect(customer.signingKey.kid).toBe(development.kid);
    expect(customer.jwt.publicKeys.map((key) => key.kid)).toEqual([development.kid]);
    expect(customer.devDefaultsUsed).toEqual(
      expect.arrayContaining(['JWT_PUBLIC_KEYS', 'GATEWAY_SECRET', 'JWT_PRIVATE_KEY', 'ADMIN_PASSWORD']),
    );
  });

  it('needs its env file: the override alone does not lift the required variables', async () => {
    const { errors } = await composeConfig(DEV_FILES, {});
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe("README's production .env", () => {
  let work: string;
  let generated: Env;

  beforeAll(async () => {
    const readme = await readText('README.md');
    const block = /e2e\/docker-compose\.test\.ts runs this block[^\n]*\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(block, 'the marked sh block in README.md').toBeTruthy();
    work = await mkdtemp(join(tmpdir(), 'compose-env-'));
    await promisify(execFile)('sh', ['-e', '-c', block as string], { cwd: work });
    generated = parseDotenv(await readFile(join(work, '.env'), 'utf8'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is readable by its owner only and holds every secret and key', async () => {
    expect((await stat(join(work, '.env'))).mode & 0o777).toBe(0o600);
    expect(Object.keys(generated).sort()).toEqual([...SECRETS, 'JWT_PUBLIC_KEYS'].sort());
  });

  it('still needs PAYMENT_PROVIDER named, and then starts every service in production', async () => {
    const without = await composeConfig(['docker-compose.yml'], generated);
    expect(without.errors).toEqual([expect.stringMatching(/^required variable PAYMENT_PROVIDER is missing/)]);

    const { config, errors } = await composeConfig(['docker-compose.yml'], {
      ...generated,
      PAYMENT_PROVIDER: 'simulated',
    });
    expect(errors).toEqual([]);
    for (const service of APP_SERVICES) {
      expect(problemsOf(service, environmentOf(config, service)), service).toEqual([]);
    }
    const customer = readCustomerConfig(environmentOf(config, 'customer'));
    const gateway = readGatewayConfig(environmentOf(config, 'gateway'));
    expect(customer.production).toBe(true);
    expect(customer.devDefaultsUsed).toEqual([]);
    expect(gateway.jwt.publicKeys.map((key) => key.kid)).toEqual([customer.signingKey.kid]);
    expect(customer.signingKey.alg).toBe('EdDSA');
  });
});

describe('the image', () => {
  it('never receives .env or key files: .dockerignore leaves them out of the build context', async () => {
    const ignored = (await readText('.dockerignore')).split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.env', '*.pem']));
  });
});
