import { useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { MyOrdersDocument, MyOrderUpdatesDocument } from '../gql/graphql.ts';
import { href } from '../router.tsx';
import { formatMoney, shortId } from '../ui/format.ts';
import { StatusBadge } from '../ui/status.tsx';

const PAGE_SIZE = 10;

/** My orders, newest first, paged by cursor; a pushed change refreshes the list. */
export function OrdersPanel() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const orders = useQuery(MyOrdersDocument, {
    variables: { first: PAGE_SIZE, after: cursors[cursors.length - 1] ?? null },
    fetchPolicy: 'cache-and-network',
  });
  useSubscription(MyOrderUpdatesDocument, { onData: () => void orders.refetch() });
  const connection = orders.data?.me?.orders;
  return (
    <section className="panel wide" aria-labelledby="orders-title">
      <h2 id="orders-title">Orders{connection ? ` (${connection.totalCount})` : ''}</h2>
      {connection && connection.totalCount === 0 && (
        <p>
          No orders yet. <a href={href()}>Start shopping</a>
        </p>
      )}
      <ul className="orders" data-testid="my-orders">
        {connection?.edges.map(({ node }) => (
          <li key={node.id}>
            <a href={href('order', node.id)}>Order {shortId(node.id)}</a>
            <StatusBadge status={node.status} />
            <span>{formatMoney(node.total)}</span>
          </li>
        ))}
      </ul>
      {connection && (cursors.length > 1 || connection.pageInfo.hasNextPage) && (
        <nav className="pager" aria-label="Order pages">
          <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            ← Newer
          </button>
          <button
            type="button"
            disabled={!connection.pageInfo.hasNextPage}
            onClick={() => setCursors([...cursors, connection.pageInfo.endCursor ?? null])}
          >
            Older →
          </button>
        </nav>
      )}
    </section>
  );
}
