import { InvalidTokenError, MAX_TOKEN_LIFETIME_SECONDS, type TokenVerifier } from './jwt.js';

/**
 * The subject the token issuer (the customer subgraph) announces revocations on: a password change,
 * a sign-out everywhere or an account deletion. Every service, the gateway included, reads it into
 * its own RevocationList (events/jetstream/revocation-feed.ts), so checking a token costs a map
 * look-up and never a database query.
 */
export const SESSIONS_REVOKED_SUBJECT = 'customers.customer.sessions-revoked.v1';
/** The stream that subject is kept in (owned by the customer subgraph). */
export const SESSIONS_REVOKED_STREAM = 'CUSTOMERS';

/** The event's data: every token of `customerId` issued before `revokedBefore` (ISO UTC) is revoked. */
export interface SessionsRevoked {
  customerId: string;
  revokedBefore: string;
}

/**
 * customerId -> revokedBefore (ms since the epoch), in memory. Applying an event twice, or an older
 * one after a newer, changes nothing (the later instant wins), so the feed may replay freely. An
 * entry older than the longest token lifetime revokes nothing that could still verify: pruned.
 */
export class RevocationList {
  private readonly revokedBefore = new Map<string, number>();

  constructor(private readonly maxLifetimeMs = MAX_TOKEN_LIFETIME_SECONDS * 1000) {}

  get size(): number {
    return this.revokedBefore.size;
  }

  apply(event: SessionsRevoked): boolean {
    const at = Date.parse(event.revokedBefore);
    if (typeof event.customerId !== 'string' || !Number.isFinite(at)) return false;
    const known = this.revokedBefore.get(event.customerId);
    if (known === undefined || at > known) this.revokedBefore.set(event.customerId, at);
    return true;
  }

  /** `issuedAt` in seconds, as the token's `iat`; compared to the millisecond. */
  isRevoked(customerId: string, issuedAt: number): boolean {
    const before = this.revokedBefore.get(customerId);
    return before !== undefined && Math.round(issuedAt * 1000) < before;
  }

  prune(now = Date.now()): void {
    for (const [customerId, before] of this.revokedBefore) {
      if (before < now - this.maxLifetimeMs) this.revokedBefore.delete(customerId);
    }
  }
}

/** A verifier that also refuses revoked tokens: the same InvalidTokenError, so the same 401. */
export function withRevocations(tokens: TokenVerifier, revocations: RevocationList): TokenVerifier {
  return {
    verify(token, now) {
      const viewer = tokens.verify(token, now);
      if (revocations.isRevoked(viewer.customerId, viewer.issuedAt)) throw new InvalidTokenError('revoked');
      return viewer;
    },
  };
}
