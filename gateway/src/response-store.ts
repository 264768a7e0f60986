import type { Logger } from '@commerce-supergraph/shared/logging';
import { Redis } from 'ioredis';

/** A subgraph answer as received, kept as text: each caller parses its own copy, none is shared. */
export interface StoredAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Where public catalog answers are kept for a short while (fetch-sharing.ts), as JSON text: a whole
 * answer, or one entity of an `_entities` answer. Reads and writes go by many keys at once, one
 * round trip to Redis for all the entities of a fetch.
 */
export interface ResponseStore {
  /** The text under each key, undefined where none is kept (or it expired). */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  setMany(entries: readonly (readonly [string, string])[], ttlMs: number): Promise<void>;
  /** Forgets every answer: the catalog changed. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Enough for every catalog page and product a storefront shows; the oldest go first beyond it. */
const MAX_MEMORY_ENTRIES = 10_000;

/** One gateway process's own store: what a single process, or a deployment without Redis, uses. */
export class MemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<string, { text: string; expiresAt: number }>();

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt > now) return entry.text;
      this.entries.delete(key);
      return undefined;
    });
  }

  async setMany(entries: readonly (readonly [string, string])[], ttlMs: number): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    for (const [key, text] of entries) {
      this.entries.delete(key);
      if (this.entries.size >= MAX_MEMORY_ENTRIES) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(key, { text, expiresAt });
    }
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/** A Redis command that takes longer than this is given up: the fetch is then sent as if nothing were cached. */
const REDIS_COMMAND_TIMEOUT_MS = 200;

/**
 * Shared by every gateway worker and replica. Redis expires each entry itself (PX); clearing
 * deletes this store's keys by prefix, which every gateway does on the same event, harmlessly
 * twice. Redis being away never fails a request: a failed read is a miss, a failed write is skipped.
 */
export class RedisResponseStore implements ResponseStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.redis = new Redis(url, {
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      // While disconnected, commands fail at once instead of queueing behind the reconnection.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
    });
    this.redis.on('error', (error) => this.log.warn({ err: error }, 'redis (public catalog cache) unavailable'));
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    try {
      const texts = await this.redis.mget(keys.map((key) => this.prefix + key));
      return texts.map((text) => text ?? undefined);
    } catch {
      return keys.map(() => undefined);
    }
  }

  async setMany(entries: readonly (readonly [string, string])[], ttlMs: number): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const [key, text] of entries) pipeline.set(this.prefix + key, text, 'PX', ttlMs);
      await pipeline.exec();
    } catch {
      // Not cached this time; the next miss tries again.
    }
  }

  async clear(): Promise<void> {
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await this.redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch (error) {
      // Entries left behind expire with their TTL.
      this.log.warn({ err: error }, 'could not clear the public catalog cache in redis');
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
