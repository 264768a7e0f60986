import type { CachePlan, PublicCatalogCacheability, SubgraphFetch } from './fetch-keys.js';
import type { ResponseStore, StoredAnswer } from './response-store.js';

/** Sends a fetch to the subgraph with the given body, and reads the answer whole. */
export type Send = (body: string) => Promise<StoredAnswer>;

const JSON_ANSWER = 'application/json; charset=utf-8';

/**
 * The public catalog cache shared by every subgraph's fetcher in one gateway (fetch-keys.ts says
 * what may be kept). It is used only while the gateway hears the catalog's change events (`live`):
 * an answer is then never older than the last change, up to the event's delivery, and never older
 * than `ttlMs` in any case.
 */
export class PublicCache {
  /** Bumped by every invalidation: an answer fetched across one is not stored, it may predate the change. */
  private generation = 0;
  live = false;

  constructor(
    readonly store: ResponseStore,
    readonly cacheability: PublicCatalogCacheability,
    readonly ttlMs: number,
  ) {}

  async invalidate(): Promise<void> {
    this.generation += 1;
    await this.store.clear();
  }

  /**
   * The fetch's answer, from what is kept where it can be, else from the subgraph (and then kept).
   * An entity fetch with some entities kept asks the subgraph for the others only; should that
   * answer be anything but complete, the whole fetch is sent as it was, so the caller always gets
   * exactly what the subgraph would have answered it, errors and their paths included.
   */
  async fetch(subgraph: string, fetch: SubgraphFetch, send: Send): Promise<StoredAnswer> {
    const plan = this.live ? this.cacheability.cachePlan(subgraph, fetch) : undefined;
    if (!plan) return send(fetch.body);
    const kept = await this.store.getMany(plan.keys);
    const missing = plan.keys.flatMap((_, index) => (kept[index] === undefined ? [index] : []));
    if (missing.length === 0) return assemble(plan, kept as string[]);
    if (plan.kind === 'entities' && missing.length < plan.keys.length) {
      const { request } = plan;
      const representations = missing.map((index) => plan.representations[index]);
      const body = JSON.stringify({ ...request, variables: { ...request.variables, representations } });
      const keys = missing.map((index) => plan.keys[index] as string);
      const { texts } = await this.sendAndKeep(send, body, plan.kind, keys);
      if (texts) {
        missing.forEach((index, n) => {
          kept[index] = texts[n];
        });
        return assemble(plan, kept as string[]);
      }
    }
    return (await this.sendAndKeep(send, fetch.body, plan.kind, plan.keys)).answer;
  }

  /** Sends, and keeps what of the answer may be kept; `texts` only for an answer complete for every key. */
  private async sendAndKeep(send: Send, body: string, kind: CachePlan['kind'], keys: string[]) {
    const generation = this.generation;
    const answer = await send(body);
    const texts = split(kind, keys.length, answer);
    if (texts && this.live && this.generation === generation) {
      await this.store.setMany(
        keys.map((key, index) => [key, texts[index] as string] as const),
        this.ttlMs,
      );
    }
    return { answer, texts };
  }
}

/** The answer rebuilt from what the cache keeps: the whole answer, or each entity in its place. */
function assemble(plan: CachePlan, texts: string[]): StoredAnswer {
  const body = plan.kind === 'answer' ? (texts[0] as string) : `{"data":{"_entities":[${texts.join(',')}]}}`;
  return { status: 200, contentType: JSON_ANSWER, body };
}

/**
 * What of an answer may be kept, one text per key: only a complete, successful answer (an error may
 * be the caller's or passing, and is never kept): the whole answer, or for an entity fetch one
 * entity (or null, for none) in the place of each representation.
 */
function split(kind: CachePlan['kind'], count: number, answer: StoredAnswer): string[] | undefined {
  if (answer.status !== 200 || !answer.contentType.startsWith('application/json')) return undefined;
  let parsed: { errors?: unknown; data?: { _entities?: unknown } | null };
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return undefined;
  }
  if (parsed.errors !== undefined || typeof parsed.data !== 'object' || parsed.data === null) return undefined;
  if (kind === 'answer') return [answer.body];
  const entities = parsed.data._entities;
  if (!Array.isArray(entities) || entities.length !== count) return undefined;
  return entities.map((entity) => JSON.stringify(entity));
}
