import { natsConnectOptions } from '@commerce-supergraph/shared/events/jetstream/nats-auth';
import type { Logger } from '@commerce-supergraph/shared/logging';
import { type NatsAuth, natsServers } from '@commerce-supergraph/shared/nats-config';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { PublicCache } from './public-cache.js';

/** The product subgraph publishes it after every create and change of a product, price included. */
export const CATALOG_CHANGED_SUBJECT = 'catalog.product.upserted.v1';
const RECONNECT_WAIT_MS = 1_000;

export interface CatalogEvents {
  close(): Promise<void>;
}

/**
 * Empties the public catalog cache whenever the catalog changes. A plain NATS subscription on the
 * event's subject (the stream keeps its copy; this needs none): every gateway worker hears every
 * change, and a change made while a worker was not listening cannot be known, so the cache is only
 * used while the subscription is up, and is emptied when it comes back.
 */
export function followCatalogChanges(
  nats: { url: string; auth?: NatsAuth },
  cache: PublicCache,
  log: Logger,
): CatalogEvents {
  const { url } = nats;
  let nc: NatsConnection | undefined;
  let closed = false;

  const goLive = async () => {
    await cache.invalidate();
    cache.live = true;
  };
  const goDark = async () => {
    cache.live = false;
    await cache.invalidate();
  };

  const run = async () => {
    for (let attempt = 1; !closed && !nc; attempt++) {
      try {
        nc = await connect({
          // As the gateway's own NATS user, which may subscribe to this subject (deploy/nats/).
          ...natsConnectOptions(url, nats.auth),
          servers: natsServers(url),
          name: 'gateway',
          maxReconnectAttempts: -1,
          reconnectTimeWait: RECONNECT_WAIT_MS,
        });
      } catch (error) {
        if (attempt === 1) log.warn({ err: error, url }, 'NATS unreachable; the public catalog cache waits for it');
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_WAIT_MS));
      }
    }
    if (!nc) return;
    if (closed) return void (await nc.close());
    const subscription = nc.subscribe(CATALOG_CHANGED_SUBJECT, {
      callback: (error) => {
        if (error) return;
        void cache.invalidate();
      },
    });
    // The subscription is registered with the server once this round trip returns.
    await nc.flush();
    await goLive();
    log.info({ subject: subscription.getSubject() }, 'public catalog cache following catalog changes');
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') await goDark();
      else if (status.type === 'reconnect') await goLive();
    }
    await goDark();
  };
  const running = run().catch((error: unknown) => {
    cache.live = false;
    log.error({ err: error }, 'public catalog cache stopped following catalog changes');
  });

  return {
    async close() {
      closed = true;
      cache.live = false;
      await nc?.close().catch(() => undefined);
      await running;
    },
  };
}
