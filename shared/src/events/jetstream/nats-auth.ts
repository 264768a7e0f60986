import { readFileSync } from 'node:fs';
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from '@nats-io/transport-node';
import { type NatsAuth, natsServers } from '../../nats-config.js';

/** The part of the client's connect options that carries the credentials and TLS. */
export type NatsConnectOptions = Pick<ConnectionOptions, 'user' | 'pass' | 'token' | 'authenticator' | 'tls'>;

/**
 * Turns the configured credentials into connect options. Creds and seed files are read at every
 * (re)connect; TLS is required whenever a TLS file is given or the URL says `tls://`.
 */
export function natsConnectOptions(url: string, auth: NatsAuth = {}): NatsConnectOptions {
  const options: NatsConnectOptions = {};
  if (auth.user) Object.assign(options, { user: auth.user, pass: auth.password });
  if (auth.token) options.token = auth.token;
  const { credsFile, nkeySeedFile } = auth;
  if (credsFile) options.authenticator = credsAuthenticator(() => readFileSync(credsFile));
  if (nkeySeedFile) {
    options.authenticator = nkeyAuthenticator(() =>
      new TextEncoder().encode(readFileSync(nkeySeedFile, 'utf8').trim()),
    );
  }
  if (auth.tls) options.tls = { ...auth.tls };
  else if (natsServers(url).some((server) => server.startsWith('tls://'))) options.tls = {};
  return options;
}
