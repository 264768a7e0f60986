import { ormOptions } from '@commerce-supergraph/shared/db/orm';
import { InboxMessage } from '@commerce-supergraph/shared/events/inbox';
import { createLogger } from '@commerce-supergraph/shared/logging';
import { MikroORM } from '@mikro-orm/postgresql';
import type { CustomerConfig } from '../src/config.js';
import { entities } from '../src/entities/index.js';
import { migrations } from '../src/migrations/index.js';
import type { Notifier, OutgoingNotification } from '../src/ports/notifier.js';

/**
 * Records what was sent; fails the next `failures` sends, as a mail server that is briefly away would;
 * takes `delayMs` to answer each, as a real one does.
 */
export class RecordingNotifier implements Notifier {
  readonly sent: OutgoingNotification[] = [];
  attempts = 0;
  failures = 0;

  constructor(private readonly delayMs = 0) {}

  async send(notification: OutgoingNotification): Promise<void> {
    this.attempts += 1;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('mail server unavailable');
    }
    this.sent.push(notification);
  }
}

/** Read from outside the subgraph (and its query counter): was the event handled, and how often? */
export async function handledCount(config: CustomerConfig, eventId: string): Promise<number> {
  const orm = await MikroORM.init(
    ormOptions({ url: config.databaseUrl, dbName: config.dbName, entities, migrations, log: createLogger('t') }),
  );
  try {
    return await orm.em.fork().count(InboxMessage, { eventId });
  } finally {
    await orm.close();
  }
}
