import { randomBytes } from 'node:crypto';
import { querySql } from '@commerce-supergraph/test-support/sql';
import type { TestSupergraph } from './supergraph.js';

/**
 * Makes the order subgraph fail to confirm this customer's orders, as a bug or a broken database
 * object would: a trigger refuses the PENDING -> CONFIRMED update, so the handler of
 * `inventory.reservation.reserved.v1` fails on every delivery and its message is dead-lettered.
 * Other changes (a rejection, a cancel) still go through. Returns the fix: drop the trigger.
 */
export async function refuseConfirmations(graph: TestSupergraph, customerId: string): Promise<() => Promise<void>> {
  const db = graph.databases.order as string;
  const name = `refuse_confirm_${randomBytes(4).toString('hex')}`;
  await querySql(
    db,
    `create function ${name}() returns trigger language plpgsql as $$
     begin
       if new.status = 'CONFIRMED' and new.customer_id = '${customerId}' then
         raise exception 'injected fault: order % cannot be confirmed', new.id;
       end if;
       return new;
     end $$`,
  );
  await querySql(db, `create trigger ${name} before update on orders for each row execute function ${name}()`);
  return async () => {
    await querySql(db, `drop trigger ${name} on orders`);
    await querySql(db, `drop function ${name}()`);
  };
}
