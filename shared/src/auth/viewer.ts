import { unauthenticated } from '../graphql/errors.js';
import { bearerToken, type TokenVerifier, type Viewer } from './jwt.js';

/**
 * The one rule the gateway and every subgraph apply to the Authorization header: none is
 * anonymous; one that does not verify is UNAUTHENTICATED (HTTP 401), never anonymous.
 */
export function verifyViewer(tokens: TokenVerifier, authorization: string | undefined): Viewer | undefined {
  try {
    const token = bearerToken(authorization);
    return token === undefined ? undefined : tokens.verify(token);
  } catch {
    throw unauthenticated('Invalid or expired token');
  }
}
