import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { cartTotal, clearCart, removeFromCart, setQuantity, useCart } from '../cart.tsx';
import { PlaceOrderDocument } from '../gql/graphql.ts';
import { href, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Problems } from '../ui/errors.tsx';
import { formatMoney } from '../ui/format.ts';

export function CartPage() {
  const lines = useCart();
  const session = useSession();
  // One key per checkout attempt: a double click or a retry after a timeout places one order.
  const [idempotencyKey, setKey] = useState(() => crypto.randomUUID());
  const [placeOrder, { data, loading, error }] = useMutation(PlaceOrderDocument);
  const userErrors = data?.placeOrder.userErrors;
  const currencyCode = lines[0]?.currencyCode ?? 'USD';

  const checkout = async () => {
    const result = await placeOrder({
      variables: {
        input: { items: lines.map(({ productId, quantity }) => ({ productId, quantity })), idempotencyKey },
      },
    }).catch(() => undefined);
    const order = result?.data?.placeOrder.order;
    if (order) {
      clearCart();
      setKey(crypto.randomUUID());
      navigate('order', order.id);
    }
  };

  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      {lines.length === 0 ? (
        <p>
          Your cart is empty. <a href={href()}>Browse the catalog</a>
        </p>
      ) : (
        <>
          <table className="lines">
            <caption className="visually-hidden">Products in your cart</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Unit price</th>
                <th scope="col">Quantity</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.productId}>
                  <td>
                    <a href={href('product', line.productId)}>{line.name}</a>
                  </td>
                  <td>{formatMoney({ amount: line.unitPrice, currencyCode: line.currencyCode })}</td>
                  <td>
                    <label className="visually-hidden" htmlFor={`qty-${line.productId}`}>
                      Quantity of {line.name}
                    </label>
                    <input
                      id={`qty-${line.productId}`}
                      className="qty"
                      type="number"
                      min={1}
                      max={100}
                      value={line.quantity}
                      onChange={(e) => setQuantity(line.productId, Number(e.target.value))}
                    />
                  </td>
                  <td>
                    <button type="button" className="link" onClick={() => removeFromCart(line.productId)}>
                      Remove<span className="visually-hidden"> {line.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="total">
            Estimated total: <strong>{formatMoney({ amount: cartTotal(lines), currencyCode })}</strong>
            <small> (the order is priced by the store when you place it)</small>
          </p>
          <Problems errors={userErrors} error={error} />
          {session ? (
            <button type="button" className="primary" onClick={checkout} disabled={loading}>
              {loading ? 'Placing order…' : 'Place order'}
            </button>
          ) : (
            <p>
              <a href={href('login')}>Sign in</a> or <a href={href('register')}>register</a> to place your order.
            </p>
          )}
        </>
      )}
    </section>
  );
}
