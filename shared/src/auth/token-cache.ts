/**
 * Tokens a verifier has already checked, by their whole text: checking a signature costs tens of
 * microseconds (ES256 far more than Ed25519), and the same token comes back on every request of a
 * session, at the gateway and again at each subgraph. Only tokens whose signature and claims
 * verified are kept; what depends on the clock (`exp`, `iat`, `nbf`) is checked again on every use,
 * and revocations are checked by the caller (revocations.ts) on every use too.
 *
 * Least recently used goes first once `maxEntries` are held, so memory stays bounded whatever
 * tokens arrive (a token is at most MAX_TOKEN_LENGTH characters; ours are about 300).
 */
export const DEFAULT_TOKEN_CACHE_SIZE = 4_096;

export interface CachedToken<TViewer> {
  viewer: TViewer;
  /** The token's time claims, in seconds since the epoch. */
  exp: number;
  iat: number;
  nbf: number | undefined;
}

export class VerifiedTokenCache<TViewer> {
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  private readonly entries = new Map<string, CachedToken<TViewer>>();

  constructor(readonly maxEntries = DEFAULT_TOKEN_CACHE_SIZE) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string): CachedToken<TViewer> | undefined {
    const entry = this.entries.get(token);
    if (entry !== undefined) {
      this.entries.delete(token);
      this.entries.set(token, entry);
    }
    return entry;
  }

  set(token: string, entry: CachedToken<TViewer>): void {
    if (this.maxEntries <= 0) return;
    if (!this.entries.has(token) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, entry);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}
