import { errors, jwtVerify, SignJWT } from 'jose';

/** The one algorithm we sign and accept: pinning it rules out `alg: none` and algorithm confusion. */
const ALGORITHM = 'HS256';
const MIN_SECRET_BYTES = 32;

export type Role = 'customer' | 'admin';

export interface Viewer {
  /** The customer id (`sub`). */
  customerId: string;
  roles: readonly Role[];
}

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  /** Token lifetime in seconds. */
  ttlSeconds: number;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export interface JwtService {
  issue(viewer: Viewer): Promise<string>;
  /** Resolves the viewer, or rejects with InvalidTokenError: never an anonymous fallback. */
  verify(token: string): Promise<Viewer>;
}

export function createJwtService(settings: JwtSettings): JwtService {
  const key = new TextEncoder().encode(settings.secret);
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`JWT secret must be at least ${MIN_SECRET_BYTES} bytes for ${ALGORITHM}`);
  }
  return {
    issue: (viewer) =>
      new SignJWT({ roles: [...viewer.roles] })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(viewer.customerId)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt()
        .setExpirationTime(`${settings.ttlSeconds}s`)
        .sign(key),

    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const roles = payload.roles;
        if (!Array.isArray(roles) || !roles.every(isRole)) throw new InvalidTokenError('bad roles claim');
        return { customerId: payload.sub as string, roles };
      } catch (error) {
        if (error instanceof InvalidTokenError) throw error;
        if (error instanceof errors.JOSEError) throw new InvalidTokenError(error.code);
        throw new InvalidTokenError('malformed token');
      }
    },
  };
}

const isRole = (value: unknown): value is Role => value === 'customer' || value === 'admin';

/** Extracts the token of `Authorization: Bearer <token>`; undefined when the header is absent. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  // A present but malformed header is a bad credential, not an anonymous request.
  if (!match?.[1]) throw new InvalidTokenError('Authorization header is not "Bearer <token>"');
  return match[1];
}
