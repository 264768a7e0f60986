import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The keys tokens are signed and verified with. Only the customer subgraph holds a private key;
 * every other service holds public keys only, so no other service can mint a token.
 *
 * Two key types, each pinned to one algorithm: Ed25519 signs `EdDSA`, P-256 signs `ES256`. A key is
 * named (`kid`) by its RFC 7638 JWK thumbprint, computed from the key itself by every service, so
 * there is no key id to configure and none that can disagree with its key.
 */
export type JwtAlgorithm = 'EdDSA' | 'ES256';

export interface VerificationKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** A public key. */
  readonly key: KeyObject;
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** The private key. */
  readonly key: KeyObject;
  /** Its public half, which the verifiers must list. */
  readonly publicKey: VerificationKey;
}

/** A problem with a configured key, worded for an operator; never carries key material. */
export class KeyFormatError extends Error {
  override name = 'KeyFormatError';
}

/**
 * One or more public keys: PEM blocks (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo), or JSON:
 * a JWK, an array of JWKs or a JWK Set (`{"keys": [...]}`). A private key is refused: handing it to a
 * verifier would let that service mint tokens.
 */
export function parsePublicKeys(text: string): VerificationKey[] {
  const entries = splitKeyText(text);
  if (entries.length === 0) throw new KeyFormatError('holds no key');
  const keys = entries.map((entry, index) => {
    const where = `key ${index + 1}`;
    if (entry.kind === 'pem') {
      if (entry.label !== 'PUBLIC KEY') {
        throw new KeyFormatError(
          entry.label.includes('PRIVATE')
            ? `${where} is a private key: give the public key only (openssl pkey -in private.pem -pubout)`
            : `${where} is a "${entry.label}" block; expected "PUBLIC KEY"`,
        );
      }
      return verificationKey(decode(where, () => createPublicKey({ key: entry.der, format: 'der', type: 'spki' })));
    }
    if ('d' in entry.jwk) throw new KeyFormatError(`${where} is a private JWK (it has "d"): give the public key only`);
    const key = verificationKey(decode(where, () => createPublicKey({ key: entry.jwk, format: 'jwk' })));
    checkJwkMembers(entry.jwk, key, where);
    return key;
  });
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.kid)) throw new KeyFormatError(`lists the key ${key.kid} twice`);
    seen.add(key.kid);
  }
  return keys;
}

/** One private key: a PEM block (`PRIVATE KEY`, PKCS#8, or `EC PRIVATE KEY`, SEC1) or a private JWK. */
export function parsePrivateKey(text: string): SigningKey {
  const entries = splitKeyText(text);
  if (entries.length !== 1) throw new KeyFormatError(entries.length === 0 ? 'holds no key' : 'must hold one key');
  const entry = entries[0] as KeyEntry;
  let key: KeyObject;
  if (entry.kind === 'pem') {
    const type = ({ 'PRIVATE KEY': 'pkcs8', 'EC PRIVATE KEY': 'sec1' } as const)[entry.label as string];
    if (!type) {
      throw new KeyFormatError(
        entry.label === 'ENCRYPTED PRIVATE KEY'
          ? 'is encrypted: give it unencrypted (the variable is the secret)'
          : `is a "${entry.label}" block; expected "PRIVATE KEY"`,
      );
    }
    key = decode('', () => createPrivateKey({ key: entry.der, format: 'der', type }));
  } else {
    if (!('d' in entry.jwk)) throw new KeyFormatError('is a public JWK: the signer needs the private key ("d")');
    key = decode('', () => createPrivateKey({ key: entry.jwk, format: 'jwk' }));
  }
  const publicKey = verificationKey(createPublicKey(key));
  if (entry.kind === 'jwk') checkJwkMembers(entry.jwk, publicKey, 'the JWK');
  return { kid: publicKey.kid, alg: publicKey.alg, key, publicKey };
}

/** The RFC 7638 thumbprint (SHA-256, base64url) of a public key: its `kid`. */
export function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  // The required members only, in lexicographic order, without whitespace (RFC 7638, section 3).
  const canonical =
    jwk.kty === 'EC'
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A public key as a JWK with its `kid`, `alg` and `use`, e.g. for publishing a key set. */
export function publicJwk(key: VerificationKey): JsonWebKey {
  return { ...key.key.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' };
}

function verificationKey(key: KeyObject): VerificationKey {
  return { kid: thumbprint(key), alg: algorithmOf(key), key };
}

function algorithmOf(key: KeyObject): JwtAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  const type =
    key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : String(key.asymmetricKeyType);
  throw new KeyFormatError(`holds a ${type} key; only Ed25519 (EdDSA) and P-256 (ES256) keys are accepted`);
}

/** A JWK's own `kid`, `alg` and `use`, when it has them, must agree with what its key is. */
function checkJwkMembers(jwk: JsonWebKey, key: VerificationKey, where: string): void {
  if (jwk.kid !== undefined && jwk.kid !== key.kid) {
    throw new KeyFormatError(`${where} has kid "${jwk.kid}", but key ids are thumbprints: its kid is "${key.kid}"`);
  }
  if (jwk.alg !== undefined && jwk.alg !== key.alg) {
    throw new KeyFormatError(`${where} says alg "${jwk.alg}", but the key is for ${key.alg}`);
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new KeyFormatError(`${where} has use "${jwk.use}", not "sig"`);
}

type KeyEntry = { kind: 'pem'; label: string; der: Buffer } | { kind: 'jwk'; jwk: JsonWebKey };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Splits a variable's value into keys. PEM line breaks may be real, written as `\n`, or spaces
 * (a .env file keeps one line per variable), so `tr '\n' ' ' < key.pem` gives a usable value.
 */
function splitKeyText(text: string): KeyEntry[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return jwkEntries(trimmed);
  const normalised = trimmed.replaceAll('\\n', '\n');
  const entries: KeyEntry[] = [];
  for (const match of normalised.matchAll(PEM_BLOCK)) {
    const body = (match[2] as string).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
      throw new KeyFormatError(`has a "${match[1]}" block that is not base64`);
    }
    entries.push({ kind: 'pem', label: match[1] as string, der: Buffer.from(body, 'base64') });
  }
  if (normalised.replace(PEM_BLOCK, '').trim() !== '') {
    throw new KeyFormatError(
      'is neither PEM blocks (-----BEGIN ... KEY-----) nor JSON (a JWK, an array of JWKs or {"keys": [...]})',
    );
  }
  return entries;
}

function jwkEntries(json: string): KeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new KeyFormatError('is not valid JSON');
  }
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) && Array.isArray(parsed.keys) ? parsed.keys : [parsed];
  return list.map((jwk, index) => {
    if (!isObject(jwk) || typeof jwk.kty !== 'string') throw new KeyFormatError(`JWK ${index + 1} has no "kty"`);
    return { kind: 'jwk', jwk: jwk as JsonWebKey };
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function decode(where: string, make: () => KeyObject): KeyObject {
  try {
    return make();
  } catch (error) {
    if (error instanceof KeyFormatError) throw error;
    // node:crypto's own message names the format problem, never the key material.
    throw new KeyFormatError(`${where ? `${where} ` : ''}cannot be read: ${(error as Error).message}`);
  }
}
