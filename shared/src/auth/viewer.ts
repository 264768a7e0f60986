import { unauthenticated } from '../graphql/errors.js';
import { bearerToken, type JwtService, type Viewer } from './jwt.js';

/**
 * The one rule the gateway and every subgraph apply to the Authorization header: none is
 * anonymous; one that does not verify is UNAUTHENTICATED (HTTP 401), never anonymous.
 */
export async function verifyViewer(jwt: JwtService, authorization: string | undefined): Promise<Viewer | undefined> {
  try {
    const token = bearerToken(authorization);
    return token === undefined ? undefined : await jwt.verify(token);
  } catch {
    throw unauthenticated('Invalid or expired token');
  }
}
