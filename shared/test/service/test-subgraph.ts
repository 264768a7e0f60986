import { TEST_GATEWAY_SECRET } from '@commerce-supergraph/test-support/subgraph';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { z } from 'zod';
import type { RequestContext } from '../../src/auth/context.js';
import { ConfigReader } from '../../src/config.js';
import { ormOptions } from '../../src/db/orm.js';
import { unitOfWork } from '../../src/db/unit-of-work.js';
import { consumedEvent } from '../../src/events/consumed-event.js';
import { uuidv7 } from '../../src/events/envelope.js';
import { InboxMessage } from '../../src/events/inbox.js';
import { OutboxMessage, recordEvent } from '../../src/events/outbox.js';
import { ConsumerPosition } from '../../src/events/positions.js';
import { on } from '../../src/events/service-events.js';
import { buildFederatedSchema } from '../../src/graphql/federation.js';
import {
  createSubgraphService,
  type SubgraphDefinition,
  type SubgraphOptions,
  type SubgraphService,
} from '../../src/graphql/subgraph-service.js';
import { readSubgraphConfig } from '../../src/service-config.js';
import { silentLog, Tally } from '../events/helpers.js';

/**
 * A subgraph of the shared runtime alone, for tests of what every subgraph gets: `addThing` writes a
 * row and its event (outbox), and the subgraph consumes its own event into a tally (inbox). An event
 * may ask its handler to hold its transaction open in the database for a while (`holdMs`).
 */
export const THINGS_STREAM = { name: 'THINGS', subjects: ['things.>'] };
export const THING_ADDED = 'things.thing.added.v1';
/** What the subgraph consumes of its own event: checked like every consumed event (consumed-event.ts). */
const THING_ADDED_EVENT = consumedEvent(THING_ADDED, {
  source: 'things',
  data: z.object({ id: z.string().min(1), holdMs: z.int().nonnegative() }),
});

@Entity({ tableName: 'things' })
export class Thing {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'text' })
  name!: string;
}

interface ThingContext extends RequestContext {
  em: EntityManager;
}

@Resolver()
class ThingResolver {
  @Query(() => Int)
  thingCount(@Ctx() ctx: ThingContext): Promise<number> {
    return ctx.em.count(Thing);
  }

  @Mutation(() => String)
  addThing(
    @Arg('name') name: string,
    @Arg('holdMs', () => Int, { defaultValue: 0 }) holdMs: number,
    @Ctx() ctx: ThingContext,
  ): Promise<string> {
    return unitOfWork(ctx.em, async (em) => {
      const thing = em.create(Thing, { name });
      recordEvent(em, {
        subject: THING_ADDED,
        data: { id: thing.id, name, holdMs },
        source: 'things',
        correlationId: ctx.requestId,
      });
      return thing.id;
    });
  }
}

export const thingEntities = [Thing, Tally, OutboxMessage, InboxMessage, ConsumerPosition];

/** Creates the test subgraph's database and tables on a server (no migrations: a test schema). */
export async function createThingDatabase(url: string, dbName: string): Promise<void> {
  const orm = await MikroORM.init(
    ormOptions({ url, dbName, entities: thingEntities, migrations: [], log: silentLog() }),
  );
  try {
    await orm.schema.ensureDatabase();
    await orm.schema.create();
  } finally {
    await orm.close(true);
  }
}

export function thingDefinition(concurrency = 16): SubgraphDefinition<ThingContext> {
  return {
    name: 'things',
    entities: thingEntities,
    migrations: [],
    streams: [THINGS_STREAM],
    createSchema: () => buildFederatedSchema({ resolvers: [ThingResolver] }),
    eventHandlers: () => [
      on(
        THING_ADDED_EVENT,
        async (envelope, { em }) => {
          if (envelope.data.holdMs > 0) await em.execute(`select pg_sleep(${envelope.data.holdMs / 1000})`);
          em.create(Tally, { key: envelope.data.id, count: 1 });
        },
        { concurrency },
      ),
    ],
    createContext: (base, em) => ({ ...base, em }),
  };
}

export function thingSubgraph(
  env: { databaseUrl: string; natsUrl: string; dbName: string },
  options: SubgraphOptions = {},
): SubgraphService {
  const reader = new ConfigReader({
    NODE_ENV: 'test',
    DATABASE_URL: env.databaseUrl,
    NATS_URL: env.natsUrl,
    THINGS_PORT: '0',
    THINGS_DB_NAME: env.dbName,
    GATEWAY_SECRET: TEST_GATEWAY_SECRET,
  });
  const config = readSubgraphConfig(reader, { prefix: 'THINGS', port: 0, dbName: env.dbName });
  reader.done();
  return createSubgraphService(thingDefinition(), config, { log: silentLog(), ...options });
}
