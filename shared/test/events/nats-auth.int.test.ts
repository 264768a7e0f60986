import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNatsServer, type TestNatsServer } from '@commerce-supergraph/test-support/nats-server';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigReader } from '../../src/config.js';
import { createEnvelope, type EventEnvelope } from '../../src/events/envelope.js';
import { JetStreamEventBus } from '../../src/events/jetstream/bus.js';
import { natsConnectOptions } from '../../src/events/jetstream/nats-auth.js';
import { type NatsAuth, readNatsAuth } from '../../src/nats-config.js';
import { silentLog } from './helpers.js';

/**
 * Services reach a NATS that wants credentials or TLS with the NATS_* settings (nats-config.ts):
 * each case runs a private server configured that way and checks that the bus connects, publishes
 * and consumes with the right settings, and that a client without them is turned away.
 */
const servers: TestNatsServer[] = [];
const dir = mkdtempSync(join(tmpdir(), 'nats-auth-'));
afterAll(async () => {
  await Promise.all(servers.map((server) => server.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

async function serverWith(config: string): Promise<TestNatsServer> {
  const server = await startNatsServer({ config });
  servers.push(server);
  return server;
}

/** NATS settings as a service reads them from its environment. */
function authFrom(env: Record<string, string>): NatsAuth {
  const reader = new ConfigReader(env);
  const auth = readNatsAuth(reader, env);
  reader.done();
  return auth;
}

/** A bus with these settings connects, creates its stream, publishes and consumes one event. */
async function roundTrip(url: string, auth: NatsAuth): Promise<EventEnvelope> {
  const bus = new JetStreamEventBus({
    url,
    auth,
    service: 'auth-test',
    log: silentLog(),
    streams: [{ name: 'AUTH_TEST', subjects: ['authtest.>'] }],
    reconnectWaitMs: 100,
  });
  const received: EventEnvelope[] = [];
  try {
    bus.start();
    await Promise.race([
      bus.whenConnected(),
      sleep(10_000).then(() => Promise.reject(new Error('bus did not connect'))),
    ]);
    await bus.subscribe('authtest.thing.happened.v1', async (envelope) => {
      received.push(envelope);
    });
    const sent = createEnvelope({
      subject: 'authtest.thing.happened.v1',
      data: { n: 1 },
      source: 'auth-test',
      correlationId: 'r',
    });
    expect(await bus.publish(sent)).toEqual({ duplicate: false });
    await vi.waitFor(() => expect(received.map((e) => e.id)).toContain(sent.id), { timeout: 10_000 });
    return sent;
  } finally {
    await bus.close();
  }
}

/** What the server answers a plain connection with these settings: 'connected', or the error. */
async function tryConnect(url: string, auth: NatsAuth): Promise<string> {
  try {
    const nc = await connect({ ...natsConnectOptions(url, auth), servers: url, timeout: 3_000 });
    await nc.close();
    return 'connected';
  } catch (error) {
    return String(error);
  }
}

describe('NATS credentials', () => {
  it('connects with NATS_USER and NATS_PASSWORD, and is refused without them or with a wrong one', async () => {
    const server = await serverWith('authorization { user: orders, password: "pa55-w0rd" }');
    await roundTrip(server.url, authFrom({ NATS_USER: 'orders', NATS_PASSWORD: 'pa55-w0rd' }));
    expect(await tryConnect(server.url, {})).toMatch(/authorization violation/i);
    expect(await tryConnect(server.url, authFrom({ NATS_USER: 'orders', NATS_PASSWORD: 'guess' }))).toMatch(
      /authorization violation/i,
    );
  });

  it('connects with NATS_TOKEN, and is refused without it', async () => {
    const server = await serverWith('authorization { token: "s3cret-t0ken" }');
    await roundTrip(server.url, authFrom({ NATS_TOKEN: 's3cret-t0ken' }));
    expect(await tryConnect(server.url, {})).toMatch(/authorization violation/i);
    expect(await tryConnect(server.url, authFrom({ NATS_TOKEN: 'other' }))).toMatch(/authorization violation/i);
  });
});

describe('NATS over TLS', () => {
  /**
   * A CA of the test's own, a server certificate and a client certificate, made with openssl. The
   * server's names 127.0.0.1 and localhost: the client checks an IP address's certificate as localhost.
   */
  function certificates() {
    const file = (name: string) => join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    const key = (name: string) => openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(name));
    key('ca-key.pem');
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      file('ca-key.pem'),
      '-out',
      file('ca.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=test CA',
    );
    for (const [name, extensions] of [
      ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'],
      ['client', 'extendedKeyUsage=clientAuth\n'],
    ] as const) {
      key(`${name}-key.pem`);
      openssl('req', '-new', '-key', file(`${name}-key.pem`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
      writeFileSync(file(`${name}.ext`), extensions);
      openssl(
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca-key.pem'),
        '-CAcreateserial',
        '-out',
        file(`${name}.pem`),
        '-days',
        '1',
        '-extfile',
        file(`${name}.ext`),
      );
    }
    return { file };
  }

  it('verifies the server with NATS_TLS_CA_FILE and presents NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE', async () => {
    const { file } = certificates();
    const server = await serverWith(
      `tls { cert_file: "${file('server.pem')}", key_file: "${file('server-key.pem')}", ca_file: "${file('ca.pem')}", verify: true, timeout: 2 }`,
    );
    const env = {
      NATS_TLS_CA_FILE: file('ca.pem'),
      NATS_TLS_CERT_FILE: file('client.pem'),
      NATS_TLS_KEY_FILE: file('client-key.pem'),
    };
    await roundTrip(server.url, authFrom(env));
    await roundTrip(server.url.replace('nats://', 'tls://'), authFrom(env));
    // A client that does not trust the CA refuses the server; one without a certificate is refused by it.
    expect(await tryConnect(server.url, {})).toMatch(/unable to verify the first certificate/);
    // (the server ends the handshake; the client reports the time-out)
    expect(await tryConnect(server.url, authFrom({ NATS_TLS_CA_FILE: file('ca.pem') }))).not.toBe('connected');
  });
});
