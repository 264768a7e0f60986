import { sign, verify } from 'node:crypto';
import type { SigningKey, VerificationKey } from './keys.js';
import { type CachedToken, VerifiedTokenCache } from './token-cache.js';

/**
 * JWTs with asymmetric keys, on `node:crypto` alone: the customer subgraph signs with its private key;
 * the gateway and every subgraph verify with public keys, selected by the token's `kid`, each pinned to
 * its one algorithm. Verification is synchronous (no WebCrypto round trip): it runs on every request,
 * at the gateway and again at each subgraph the request reaches; a token already verified is found in a
 * bounded cache (token-cache.ts) and only its time claims are checked again.
 */
export type Role = 'customer' | 'admin';

export interface Viewer {
  /** The customer id (`sub`). */
  customerId: string;
  roles: readonly Role[];
}

/** What issuer and verifiers agree on besides the keys. */
export interface TokenSettings {
  issuer: string;
  audience: string;
  /** Lifetime of issued tokens, in seconds. */
  ttlSeconds: number;
}

/** What every service verifies with: the settings and the public keys currently accepted. */
export interface JwtSettings extends TokenSettings {
  publicKeys: readonly VerificationKey[];
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** A verified token's viewer, with when the token was issued (what a revocation is compared with). */
export interface VerifiedViewer extends Viewer {
  /** The token's `iat`, in seconds since the epoch (millisecond precision for tokens issued here). */
  issuedAt: number;
}

export interface TokenVerifier {
  /** The viewer, or an InvalidTokenError: never an anonymous fallback. `now` in seconds, for tests. */
  verify(token: string, now?: number): VerifiedViewer;
}

export interface TokenSigner {
  readonly kid: string;
  issue(viewer: Viewer, now?: number): string;
}

/** Longer than any token this platform issues is not a token of ours: refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;
/** Clocks of different hosts disagree a little: `iat` and `nbf` may be this far in the future. */
export const CLOCK_SKEW_SECONDS = 60;
/** The longest lifetime JWT_TTL_SECONDS allows: a token claiming more was not issued here. */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;
/** Both algorithms sign with 64 bytes: Ed25519, and ES256 as JWS's raw r || s (not DER). */
const SIGNATURE_BYTES = 64;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

type Check = (data: Buffer, signature: Buffer) => boolean;

function checkerFor(key: VerificationKey): Check {
  if (key.alg === 'EdDSA') return (data, signature) => verify(null, data, key.key, signature);
  const es256 = { key: key.key, dsaEncoding: 'ieee-p1363' } as const;
  return (data, signature) => verify('sha256', data, es256, signature);
}

export interface TokenVerifierOptions {
  /** How many verified tokens are remembered (token-cache.ts); 0 verifies every token in full. */
  cacheSize?: number;
}

export function createTokenVerifier(settings: JwtSettings, options: TokenVerifierOptions = {}): TokenVerifier {
  if (settings.publicKeys.length === 0) throw new Error('A token verifier needs at least one public key');
  const keys = new Map(settings.publicKeys.map((key) => [key.kid, { alg: key.alg, check: checkerFor(key) }]));
  const cache = new VerifiedTokenCache<VerifiedViewer>(options.cacheSize);

  /** Signature and claims: what does not change with time, so what a cached token skips. */
  function verifyInFull(token: string): CachedToken<VerifiedViewer> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) throw invalid('malformed token');
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];

    const header = decodeJson(encodedHeader);
    if (header.crit !== undefined) throw invalid('critical header extensions are not supported');
    if (header.typ !== undefined && header.typ !== 'JWT') throw invalid('not a JWT');
    const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
    if (!key) throw invalid('unknown key id');
    // The key decides the algorithm; the header only has to agree (no `none`, no HS256 with a public key).
    if (header.alg !== key.alg) throw invalid('algorithm not allowed for this key');
    const signature = Buffer.from(encodedSignature, 'base64url');
    if (signature.length !== SIGNATURE_BYTES) throw invalid('bad signature');
    if (!key.check(Buffer.from(`${encodedHeader}.${encodedPayload}`), signature)) throw invalid('bad signature');

    const claims = decodeJson(encodedPayload);
    if (claims.iss !== settings.issuer) throw invalid('wrong issuer');
    const audience = claims.aud;
    if (!(audience === settings.audience || (Array.isArray(audience) && audience.includes(settings.audience)))) {
      throw invalid('wrong audience');
    }
    const { sub, exp, iat, nbf, roles } = claims;
    if (typeof sub !== 'string' || sub === '') throw invalid('no subject');
    if (!isTime(exp) || !isTime(iat)) throw invalid('exp and iat are required');
    if (exp <= iat || exp - iat > MAX_TOKEN_LIFETIME_SECONDS) throw invalid('implausible lifetime');
    if (nbf !== undefined && !isTime(nbf)) throw invalid('not valid yet');
    if (!Array.isArray(roles) || !roles.every(isRole)) throw invalid('bad roles claim');
    // Frozen: a cached viewer is handed to every request that carries the token.
    const viewer = Object.freeze({ customerId: sub, roles: Object.freeze([...roles]), issuedAt: iat });
    return { viewer, exp, iat, nbf };
  }

  return {
    verify(token, now = Date.now() / 1000) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw invalid('malformed token');
      const cached = cache.get(token);
      const entry = cached ?? verifyInFull(token);
      // The clock rules, on every use: a cached token is refused the moment it expires.
      if (now >= entry.exp) {
        if (cached) cache.delete(token);
        throw invalid('expired');
      }
      if (entry.iat > now + CLOCK_SKEW_SECONDS) throw invalid('issued in the future');
      if (entry.nbf !== undefined && entry.nbf > now + CLOCK_SKEW_SECONDS) throw invalid('not valid yet');
      if (!cached) cache.set(token, entry);
      return entry.viewer;
    },
  };
}

export function createTokenSigner(settings: TokenSettings & { signingKey: SigningKey }): TokenSigner {
  const { signingKey } = settings;
  const header = encodeJson({ alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' });
  const signWith: (data: Buffer) => Buffer =
    signingKey.alg === 'EdDSA'
      ? (data) => sign(null, data, signingKey.key)
      : (data) => sign('sha256', data, { key: signingKey.key, dsaEncoding: 'ieee-p1363' });
  return {
    kid: signingKey.kid,
    issue(viewer, now = Date.now() / 1000) {
      // Millisecond precision (RFC 7519 allows a fractional NumericDate): a revocation at time T
      // (revocations.ts) revokes every token issued before T, and none issued at or after it, even
      // within the same second (the token changePassword hands back).
      // Rounded, not floored: `now` is usually a whole millisecond divided by 1000, which a floor of
      // the binary fraction could turn into the millisecond before (and so before the revocation).
      const iat = Math.round(now * 1000) / 1000;
      const payload = encodeJson({
        sub: viewer.customerId,
        roles: [...viewer.roles],
        iss: settings.issuer,
        aud: settings.audience,
        iat,
        exp: iat + settings.ttlSeconds,
      });
      const input = `${header}.${payload}`;
      return `${input}.${signWith(Buffer.from(input)).toString('base64url')}`;
    },
  };
}

const invalid = (reason: string) => new InvalidTokenError(reason);

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const isRole = (value: unknown): value is Role => value === 'customer' || value === 'admin';

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decodeJson(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw invalid('malformed token');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('malformed token');
  return value as Record<string, unknown>;
}

/** Extracts the token of `Authorization: Bearer <token>`; undefined when the header is absent. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  // A present but malformed header is a bad credential, not an anonymous request.
  if (!match?.[1]) throw new InvalidTokenError('Authorization header is not "Bearer <token>"');
  return match[1];
}
