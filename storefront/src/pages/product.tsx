import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { addToCart } from '../cart.tsx';
import { ProductDocument } from '../gql/graphql.ts';
import { href } from '../router.tsx';
import { Problems } from '../ui/errors.tsx';
import { formatMoney } from '../ui/format.ts';
import { hue } from './catalog.tsx';

export function ProductPage({ id }: { id: string }) {
  const { data, loading, error } = useQuery(ProductDocument, { variables: { id }, fetchPolicy: 'cache-and-network' });
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState<number | null>(null);
  const product = data?.product;
  if (loading && !product) return <p>Loading…</p>;
  if (!product) {
    return (
      <section>
        <h1>Product not found</h1>
        <Problems error={error} />
        <a href={href()}>Back to the catalog</a>
      </section>
    );
  }
  const max = Math.min(100, product.available);
  const add = () => {
    addToCart(
      {
        productId: product.id,
        name: product.name,
        unitPrice: product.price.amount,
        currencyCode: product.price.currencyCode,
      },
      quantity,
    );
    setAdded(quantity);
  };
  return (
    <article className="detail">
      <p>
        <a href={href()}>← Catalog</a>
      </p>
      <div className="detail-grid">
        <div className="thumb large" aria-hidden="true" style={{ '--hue': hue(product.sku) } as React.CSSProperties}>
          {product.name.charAt(0)}
        </div>
        <div>
          <h1>{product.name}</h1>
          <p className="meta">SKU {product.sku}</p>
          <p className="price large">{formatMoney(product.price)}</p>
          <p className={product.inStock ? 'stock' : 'stock out'}>
            {product.inStock ? `${product.available} in stock` : 'Out of stock'}
          </p>
          {product.description && <p className="description">{product.description}</p>}
          {product.inStock && (
            <div className="buy">
              <label htmlFor="quantity">Quantity</label>
              <input
                id="quantity"
                type="number"
                min={1}
                max={max}
                value={quantity}
                onChange={(e) => setQuantity(Math.max(1, Math.min(max, Number(e.target.value) || 1)))}
              />
              <button type="button" className="primary" onClick={add}>
                Add to cart
              </button>
            </div>
          )}
          <p role="status">
            {added !== null && (
              <>
                Added {added} to your cart. <a href={href('cart')}>Go to cart</a>
              </>
            )}
          </p>
        </div>
      </div>
    </article>
  );
}
