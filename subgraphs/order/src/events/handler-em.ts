import type { HandlerContext } from '@commerce-supergraph/shared/events/inbox';
import type { EntityManager } from '@mikro-orm/postgresql';

/** The inbox hands over MikroORM's generic EntityManager; this service's ORM is the PostgreSQL one. */
export const sqlEm = (em: HandlerContext['em']): EntityManager => em as EntityManager;
