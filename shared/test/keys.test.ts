import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { newKeyPair } from '@commerce-supergraph/test-support/tokens';
import { describe, expect, it } from 'vitest';
import { parsePrivateKey, parsePublicKeys, publicJwk, thumbprint } from '../src/auth/keys.js';
import { publishedKeyName, publishedKeyPair } from '../src/auth/published-keys.js';

/** RFC 8037, appendix A: an Ed25519 key pair and the RFC 7638 thumbprint of its public key. */
const RFC8037 = {
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  thumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
};

const pair = newKeyPair();
const other = newKeyPair('p256');

describe('key ids', () => {
  it('are RFC 7638 thumbprints (the RFC 8037 test vector)', () => {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: RFC8037.x }, format: 'jwk' });
    expect(thumbprint(key)).toBe(RFC8037.thumbprint);
    const signing = parsePrivateKey(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: RFC8037.x, d: RFC8037.d }));
    expect(signing).toMatchObject({ kid: RFC8037.thumbprint, alg: 'EdDSA' });
  });
});

describe('public keys (JWT_PUBLIC_KEYS)', () => {
  it('reads PEM with real line breaks, with \\n escapes and with spaces (one .env line)', () => {
    for (const text of [pair.publicKey, pair.publicKey.replaceAll('\n', '\\n'), pair.publicKey.replaceAll('\n', ' ')]) {
      expect(parsePublicKeys(text).map((key) => [key.kid, key.alg])).toEqual([[pair.kid, 'EdDSA']]);
    }
  });

  it('reads several PEM blocks, a JWK, an array of JWKs and a JWK Set', () => {
    const pems = `${pair.publicKey}\n${other.publicKey}`;
    const jwks = parsePublicKeys(pems).map(publicJwk);
    const expected = [
      [pair.kid, 'EdDSA'],
      [other.kid, 'ES256'],
    ];
    for (const text of [pems, JSON.stringify(jwks), JSON.stringify({ keys: jwks })]) {
      expect(parsePublicKeys(text).map((key) => [key.kid, key.alg])).toEqual(expected);
    }
    expect(parsePublicKeys(JSON.stringify(jwks[0])).map((key) => key.kid)).toEqual([pair.kid]);
  });

  it('refuses a private key, whatever its form: a verifier must not be able to sign', () => {
    expect(() => parsePublicKeys(pair.privateKey)).toThrow(/is a private key: give the public key only/);
    expect(() => parsePublicKeys(`${other.publicKey}${pair.privateKey}`)).toThrow(/key 2 is a private key/);
    const privateJwk = createPrivateKey(pair.privateKey).export({ format: 'jwk' });
    expect(() => parsePublicKeys(JSON.stringify(privateJwk))).toThrow(/private JWK/);
  });

  it('refuses other key types, duplicates, junk and JWK members that disagree with the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' });
    expect(() => parsePublicKeys(rsa.toString())).toThrow(/only Ed25519 \(EdDSA\) and P-256 \(ES256\)/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'pem', type: 'spki' });
    expect(() => parsePublicKeys(p384.toString())).toThrow(/EC secp384r1 key/);
    expect(() => parsePublicKeys(`${pair.publicKey}${pair.publicKey}`)).toThrow(`lists the key ${pair.kid} twice`);
    expect(() => parsePublicKeys('')).toThrow('holds no key');
    expect(() => parsePublicKeys('development-only-jwt-secret-do-not-use-in-production')).toThrow(/neither PEM/);
    expect(() => parsePublicKeys(`${pair.publicKey} trailing`)).toThrow(/neither PEM/);
    expect(() => parsePublicKeys('-----BEGIN PUBLIC KEY-----\nnot*base64\n-----END PUBLIC KEY-----')).toThrow(
      /not base64/,
    );
    expect(() => parsePublicKeys('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(
      /cannot be read/,
    );
    expect(() => parsePublicKeys('{"kty":')).toThrow('is not valid JSON');
    const jwk = publicJwk(parsePublicKeys(pair.publicKey)[0] as never);
    expect(() => parsePublicKeys(JSON.stringify({ ...jwk, kid: 'my-key' }))).toThrow(/key ids are thumbprints/);
    expect(() => parsePublicKeys(JSON.stringify({ ...jwk, alg: 'ES256' }))).toThrow(/but the key is for EdDSA/);
    expect(() => parsePublicKeys(JSON.stringify({ ...jwk, use: 'enc' }))).toThrow(/use "enc"/);
  });
});

describe('the private key (JWT_PRIVATE_KEY)', () => {
  it('reads PKCS#8 PEM (one line or several), SEC1 EC PEM and a private JWK; its kid is its public key', () => {
    const sec1 = createPrivateKey(other.privateKey).export({ format: 'pem', type: 'sec1' }).toString();
    const jwk = JSON.stringify(createPrivateKey(pair.privateKey).export({ format: 'jwk' }));
    expect(parsePrivateKey(pair.privateKey).kid).toBe(pair.kid);
    expect(parsePrivateKey(pair.privateKey.replaceAll('\n', ' ')).kid).toBe(pair.kid);
    expect(parsePrivateKey(sec1)).toMatchObject({ kid: other.kid, alg: 'ES256' });
    expect(parsePrivateKey(jwk).publicKey.kid).toBe(pair.kid);
  });

  it('refuses a public key, an encrypted key, two keys and other key types', () => {
    expect(() => parsePrivateKey(pair.publicKey)).toThrow(/"PUBLIC KEY" block; expected "PRIVATE KEY"/);
    const encrypted = createPrivateKey(pair.privateKey)
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    expect(() => parsePrivateKey(encrypted)).toThrow(/is encrypted/);
    expect(() => parsePrivateKey(`${pair.privateKey}${pair.privateKey}`)).toThrow('must hold one key');
    const publicJson = JSON.stringify(createPublicKey(pair.publicKey).export({ format: 'jwk' }));
    expect(() => parsePrivateKey(publicJson)).toThrow(/public JWK/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    expect(() => parsePrivateKey(rsa.toString())).toThrow(/rsa key/);
  });
});

describe('published keys', () => {
  it('are the same on every machine, differ from each other, and are recognised by kid', () => {
    const development = publishedKeyPair('development');
    const test = publishedKeyPair('test');
    expect(parsePrivateKey(development.privateKey).kid).toBe(development.kid);
    expect(parsePublicKeys(development.publicKey)[0]?.kid).toBe(development.kid);
    expect(development.kid).not.toBe(test.kid);
    expect(publishedKeyName(development.kid)).toBe('development');
    expect(publishedKeyName(test.kid)).toBe('test');
    expect(publishedKeyName(pair.kid)).toBeUndefined();
    // Pinned: docker-compose.dev.env carries this key, and a changed derivation would orphan it.
    expect(development.kid).toBe('b0wBjjW7nhEJckSJ8GajXkBBM-1aZwp0wQT4YdvdcHw');
  });
});
