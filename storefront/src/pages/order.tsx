import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { type FormEvent, useEffect, useState } from 'react';
import { CancelOrderDocument, OrderDocument, OrderUpdatedDocument, PayOrderDocument } from '../gql/graphql.ts';
import { href } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Problems } from '../ui/errors.tsx';
import { formatDate, formatMoney, shortId } from '../ui/format.ts';
import { StatusBadge, StatusSteps } from '../ui/status.tsx';

const CARDS = [
  { token: 'tok_visa', label: 'Visa ending 4242 (test card that pays)' },
  { token: 'tok_chargeDeclined', label: 'Visa ending 0002 (test card that is declined)' },
];

/**
 * One order, live: the gateway pushes each status change over the WebSocket (orderUpdated), and
 * each push refetches the order for its payment and lines. Should the live stream fail, the page
 * polls while the order is still moving.
 */
export function OrderPage({ id }: { id: string }) {
  const session = useSession();
  const order = useQuery(OrderDocument, { variables: { id }, skip: !session });
  const live = useSubscription(OrderUpdatedDocument, {
    variables: { orderId: id },
    skip: !session,
    onData: () => void order.refetch(),
  });
  const current = order.data?.order;
  const status = live.data?.orderUpdated.status ?? current?.status;
  const moving = status === 'PENDING';
  const { startPolling, stopPolling } = order;
  useEffect(() => {
    if (live.error && moving) startPolling(1000);
    else stopPolling();
  }, [live.error, moving, startPolling, stopPolling]);

  if (!session) {
    return (
      <p>
        <a href={href('login')}>Sign in</a> to see your order.
      </p>
    );
  }
  if (order.loading && !current) return <p>Loading order…</p>;
  if (!current || !status) {
    return (
      <section>
        <h1>Order not found</h1>
        <Problems error={order.error} />
        <a href={href('account')}>Your orders</a>
      </section>
    );
  }
  return (
    <section aria-labelledby="order-title">
      <h1 id="order-title">Order {shortId(current.id)}</h1>
      <p className="order-status" aria-live="polite" data-testid="order-status">
        Status: <StatusBadge status={status} />
        {live.data && !live.error && <span className="live"> ● live</span>}
      </p>
      <StatusSteps status={status} />
      {current.rejectionReason && <p className="problems">Rejected: {current.rejectionReason}</p>}
      <table className="lines">
        <caption className="visually-hidden">Lines of this order</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Quantity</th>
          </tr>
        </thead>
        <tbody>
          {current.items.map((item) => (
            <tr key={item.product.id}>
              <td>
                <a href={href('product', item.product.id)}>{item.product.name}</a>
              </td>
              <td>{item.quantity}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="total">
        Total: <strong>{formatMoney(current.total)}</strong>
      </p>
      {current.payment && (
        <p>
          Payment: <StatusBadge status={current.payment.status} /> {formatMoney(current.payment.amount)}
          {current.payment.failureReason && ` (${current.payment.failureReason})`}
        </p>
      )}
      {status === 'CONFIRMED' && <PayForm orderId={current.id} onDone={() => void order.refetch()} />}
      {(status === 'PENDING' || status === 'CONFIRMED') && <CancelButton orderId={current.id} />}
      {live.data && <p className="meta">Last change {formatDate(live.data.orderUpdated.occurredAt)}</p>}
    </section>
  );
}

function PayForm({ orderId, onDone }: { orderId: string; onDone: () => void }) {
  const [token, setToken] = useState(CARDS[0]?.token ?? '');
  const [pay, { data, loading, error }] = useMutation(PayOrderDocument);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // A new key per attempt: a declined card may be retried with another one.
    await pay({ variables: { input: { orderId, paymentToken: token, idempotencyKey: crypto.randomUUID() } } }).catch(
      () => undefined,
    );
    onDone();
  };
  return (
    <form className="pay" onSubmit={submit}>
      <fieldset>
        <legend>Pay with a test card</legend>
        {CARDS.map((card) => (
          <label key={card.token} className="radio">
            <input
              type="radio"
              name="card"
              value={card.token}
              checked={token === card.token}
              onChange={() => setToken(card.token)}
            />
            {card.label}
          </label>
        ))}
      </fieldset>
      <Problems errors={data?.payOrder.userErrors} error={error} />
      <button type="submit" className="primary" disabled={loading}>
        {loading ? 'Paying…' : 'Pay now'}
      </button>
    </form>
  );
}

function CancelButton({ orderId }: { orderId: string }) {
  const [cancel, { data, loading, error }] = useMutation(CancelOrderDocument, { variables: { id: orderId } });
  return (
    <div className="cancel">
      <Problems errors={data?.cancelOrder.userErrors} error={error} />
      <button
        type="button"
        className="secondary"
        disabled={loading}
        onClick={() => void cancel().catch(() => undefined)}
      >
        Cancel order
      </button>
    </div>
  );
}
