import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { thumbprint } from './keys.js';

/**
 * Key pairs anyone can rebuild from this file: the development key (the default outside production,
 * and what `docker-compose.dev.env` holds) and the test key (test-support signs with it). Each is an
 * Ed25519 key whose 32-byte seed is the SHA-256 of a phrase printed here, so they are published
 * values: production refuses both, as a signing key and as a verification key.
 */
const SEEDS = {
  development: 'commerce-supergraph development JWT key: published in the repository, never for production',
  test: 'commerce-supergraph test JWT key: published in the repository, never for production',
} as const;

export type PublishedKeyName = keyof typeof SEEDS;

export interface PublishedKeyPair {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** SubjectPublicKeyInfo PEM. */
  publicKey: string;
  kid: string;
}

/** An Ed25519 private key in PKCS#8 DER is this fixed prefix followed by the 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const pairs = new Map<PublishedKeyName, PublishedKeyPair>();

export function publishedKeyPair(name: PublishedKeyName): PublishedKeyPair {
  let pair = pairs.get(name);
  if (!pair) {
    const seed = createHash('sha256').update(SEEDS[name]).digest();
    const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey(key);
    pair = {
      privateKey: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      kid: thumbprint(publicKey),
    };
    pairs.set(name, pair);
  }
  return pair;
}

/** The name of the published key with this `kid`, if it is one. */
export function publishedKeyName(kid: string): PublishedKeyName | undefined {
  return (Object.keys(SEEDS) as PublishedKeyName[]).find((name) => publishedKeyPair(name).kid === kid);
}
