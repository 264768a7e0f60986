import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { bearerToken, createJwtService, InvalidTokenError } from '../src/auth/jwt.js';

const settings = {
  secret: 'a-test-secret-that-is-at-least-32-bytes-long',
  issuer: 'iss',
  audience: 'aud',
  ttlSeconds: 60,
};
const jwt = createJwtService(settings);
const key = new TextEncoder().encode(settings.secret);

describe('JWT service', () => {
  it('round-trips the viewer', async () => {
    const token = await jwt.issue({ customerId: 'c1', roles: ['customer', 'admin'] });
    await expect(jwt.verify(token)).resolves.toEqual({ customerId: 'c1', roles: ['customer', 'admin'] });
  });

  it('rejects alg none', async () => {
    const token = new UnsecuredJWT({ roles: ['admin'] })
      .setSubject('c1')
      .setIssuer('iss')
      .setAudience('aud')
      .setIssuedAt()
      .setExpirationTime('1m')
      .encode();
    await expect(jwt.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await jwt.issue({ customerId: 'c1', roles: ['customer'] })).split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'c1', roles: ['admin'], iss: 'iss', aud: 'aud', iat: 1, exp: 9_999_999_999 }),
    ).toString('base64url');
    await expect(jwt.verify(`${header}.${forged}.${signature}`)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it.each([
    ['wrong audience', { aud: 'other', iss: 'iss', exp: '1m' }],
    ['wrong issuer', { aud: 'aud', iss: 'other', exp: '1m' }],
    ['expired', { aud: 'aud', iss: 'iss', exp: Math.floor(Date.now() / 1000) - 10 }],
  ])('rejects a token with %s', async (_case, claims) => {
    const token = await new SignJWT({ roles: ['customer'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('c1')
      .setIssuer(claims.iss)
      .setAudience(claims.aud)
      .setIssuedAt()
      .setExpirationTime(claims.exp)
      .sign(key);
    await expect(jwt.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('rejects unknown roles and a short secret', async () => {
    const token = await new SignJWT({ roles: ['root'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('c1')
      .setIssuer('iss')
      .setAudience('aud')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    await expect(jwt.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(() => createJwtService({ ...settings, secret: 'short' })).toThrow(/at least 32 bytes/);
  });

  it('parses bearer headers and refuses malformed ones', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(() => bearerToken('Basic dXNlcg==')).toThrow(InvalidTokenError);
  });
});
