import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ConfigReader } from '../src/config.js';
import { natsConnectOptions } from '../src/events/jetstream/nats-auth.js';
import {
  natsServers,
  PUBLISHED_NATS_PASSWORDS,
  readNatsAuth,
  readNatsUrl,
  readStreamReplicas,
} from '../src/nats-config.js';

const dir = mkdtempSync(join(tmpdir(), 'nats-config-'));
const file = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, name);
  return path;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(env: Record<string, string>) {
  const reader = new ConfigReader(env);
  const auth = readNatsAuth(reader, env);
  try {
    reader.done();
    return { auth, problems: [] };
  } catch (error) {
    if (error instanceof ConfigError) return { auth, problems: error.problems };
    throw error;
  }
}

describe('NATS credentials and TLS', () => {
  it('needs none outside production', () => {
    expect(read({})).toEqual({ auth: {}, problems: [] });
    expect(natsConnectOptions('nats://127.0.0.1:4222', {})).toEqual({});
  });

  it('takes a user and password, or a token', () => {
    const user = read({ NATS_USER: 'order', NATS_PASSWORD: 's3cret' });
    expect(user.problems).toEqual([]);
    expect(natsConnectOptions('nats://nats:4222', user.auth)).toEqual({ user: 'order', pass: 's3cret' });
    const token = read({ NATS_TOKEN: 't0ken' });
    expect(natsConnectOptions('nats://nats:4222', token.auth)).toEqual({ token: 't0ken' });
  });

  it('takes a creds or nkey seed file, read when connecting', () => {
    const creds = read({ NATS_CREDS_FILE: file('order.creds') });
    expect(creds.problems).toEqual([]);
    expect(natsConnectOptions('nats://nats:4222', creds.auth).authenticator).toBeTypeOf('function');
    const seed = read({ NATS_NKEY_SEED_FILE: file('order.nk') });
    expect(seed.problems).toEqual([]);
    expect(natsConnectOptions('nats://nats:4222', seed.auth).authenticator).toBeTypeOf('function');
  });

  it('takes a CA and a client certificate; a tls:// URL alone requires TLS', () => {
    const env = {
      NATS_TLS_CA_FILE: file('ca.pem'),
      NATS_TLS_CERT_FILE: file('client.pem'),
      NATS_TLS_KEY_FILE: file('client-key.pem'),
    };
    const { auth, problems } = read(env);
    expect(problems).toEqual([]);
    expect(natsConnectOptions('nats://nats:4222', auth)).toEqual({
      tls: { caFile: env.NATS_TLS_CA_FILE, certFile: env.NATS_TLS_CERT_FILE, keyFile: env.NATS_TLS_KEY_FILE },
    });
    expect(natsConnectOptions('tls://nats:4222', {})).toEqual({ tls: {} });
  });

  it('reports every problem at once, never echoing a secret', () => {
    const { problems } = read({
      NATS_USER: 'order',
      NATS_TOKEN: 'very-secret-token',
      NATS_CREDS_FILE: join(dir, 'missing.creds'),
      NATS_TLS_CERT_FILE: file('only-cert.pem'),
    });
    expect(problems).toEqual([
      `NATS_CREDS_FILE names a file that cannot be read: ${join(dir, 'missing.creds')}`,
      'NATS_USER needs NATS_PASSWORD',
      'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together',
      'NATS credentials: set only one of NATS_USER/NATS_PASSWORD, NATS_TOKEN',
    ]);
    expect(problems.join('\n')).not.toContain('very-secret-token');
  });

  it('requires credentials in production: a user, a token, a creds or seed file, or a client certificate', () => {
    expect(read({ NODE_ENV: 'production' }).problems).toEqual([
      'NATS credentials are required when NODE_ENV=production: set NATS_USER and NATS_PASSWORD, NATS_TOKEN, ' +
        'NATS_CREDS_FILE, NATS_NKEY_SEED_FILE, or NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE',
    ]);
    expect(read({ NODE_ENV: 'production', NATS_TOKEN: 't'.repeat(32) }).problems).toEqual([]);
    expect(
      read({ NODE_ENV: 'production', NATS_TLS_CERT_FILE: file('c.pem'), NATS_TLS_KEY_FILE: file('k.pem') }).problems,
    ).toEqual([]);
  });

  it('refuses a short or published password or token in production, as any other secret', () => {
    const production = { NODE_ENV: 'production', NATS_USER: 'order' };
    expect(read({ ...production, NATS_PASSWORD: 'p'.repeat(31) }).problems).toEqual([
      'NATS_PASSWORD must be at least 32 bytes in production, got 31 (openssl rand -base64 48)',
    ]);
    expect(read({ NODE_ENV: 'production', NATS_TOKEN: 'short' }).problems).toEqual([
      'NATS_TOKEN must be at least 32 bytes in production, got 5 (openssl rand -base64 48)',
    ]);
    for (const password of PUBLISHED_NATS_PASSWORDS) {
      expect(read({ ...production, NATS_PASSWORD: password }).problems).toEqual([
        'NATS_PASSWORD is a development value published in the repository: generate one (openssl rand -base64 48)',
      ]);
    }
    expect(read({ ...production, NATS_PASSWORD: 'p'.repeat(32) }).problems).toEqual([]);
  });

  it('takes the published development passwords outside production, reported as development defaults', () => {
    const env = { NATS_USER: 'order', NATS_PASSWORD: PUBLISHED_NATS_PASSWORDS[2] as string };
    const reader = new ConfigReader(env);
    expect(readNatsAuth(reader, env)).toEqual({ user: 'order', password: env.NATS_PASSWORD });
    expect(reader.devDefaultsUsed).toEqual(['NATS_PASSWORD']);
  });
});

describe('NATS_URL and NATS_STREAM_REPLICAS', () => {
  const readCluster = (env: Record<string, string>) => {
    const reader = new ConfigReader(env);
    const url = readNatsUrl(reader);
    const replicas = readStreamReplicas(reader);
    try {
      reader.done();
      return { url, replicas, problems: [] as string[] };
    } catch (error) {
      if (error instanceof ConfigError) return { url, replicas, problems: error.problems };
      throw error;
    }
  };

  it('default to one local server and one copy of each stream', () => {
    expect(readCluster({})).toEqual({ url: 'nats://127.0.0.1:4222', replicas: 1, problems: [] });
    expect(natsServers('nats://127.0.0.1:4222')).toEqual(['nats://127.0.0.1:4222']);
  });

  it("take a cluster's members separated by commas, each given to the client", () => {
    const url = 'nats://a:4222, nats://b:4222,tls://c:4222';
    expect(readCluster({ NATS_URL: url, NATS_STREAM_REPLICAS: '3' })).toEqual({ url, replicas: 3, problems: [] });
    expect(natsServers(url)).toEqual(['nats://a:4222', 'nats://b:4222', 'tls://c:4222']);
    // One tls:// member asks for TLS on every connection.
    expect(natsConnectOptions(url, {})).toEqual({ tls: {} });
  });

  it('refuse a list with a member that is not a NATS URL, and replicas outside 1..5', () => {
    const { problems } = readCluster({ NATS_URL: 'nats://a:4222,http://b:80', NATS_STREAM_REPLICAS: '6' });
    expect(problems).toEqual([
      'NATS_URL must use nats: or tls:, got "http:"',
      'NATS_STREAM_REPLICAS must be a whole number from 1 to 5, got "6"',
    ]);
    expect(readCluster({ NATS_URL: ' , ' }).problems).toEqual(['NATS_URL must name at least one server']);
    expect(readCluster({ NATS_URL: 'nats://a:4222,not a url' }).problems).toEqual([
      'NATS_URL must be a URL, or URLs separated by commas',
    ]);
    expect(readCluster({ NATS_STREAM_REPLICAS: '0' }).problems).toHaveLength(1);
  });
});
