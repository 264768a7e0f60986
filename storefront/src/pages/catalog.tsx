import { useQuery } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { addToCart } from '../cart.tsx';
import { CatalogDocument, ProductsDocument, type ProductsQuery } from '../gql/graphql.ts';
import { href } from '../router.tsx';
import { Problems } from '../ui/errors.tsx';
import { formatMoney } from '../ui/format.ts';

const PAGE_SIZE = 12;
type Product = ProductsQuery['products']['edges'][number]['node'];

/** The catalog grid: search by name or SKU, narrow by category, page forward and back by cursor. */
export function CatalogPage() {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [categoryId, setCategoryId] = useState('');
  // The cursors of the pages before this one, so "Previous" needs no backward paging from the API.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const filter = { ...(query ? { search: query } : {}), ...(categoryId ? { categoryId } : {}) };
  const { data, loading, error } = useQuery(ProductsDocument, {
    variables: { first: PAGE_SIZE, after, filter },
    fetchPolicy: 'cache-and-network',
  });
  const catalog = useQuery(CatalogDocument);
  const products = data?.products;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(search.trim());
    setCursors([null]);
  };
  const page = cursors.length;
  const pages = products ? Math.max(1, Math.ceil(products.totalCount / PAGE_SIZE)) : 1;

  return (
    <section aria-labelledby="catalog-title">
      <div className="page-head">
        <h1 id="catalog-title">Catalog</h1>
        <form className="search" aria-label="Search the catalog" onSubmit={submit}>
          <label htmlFor="search">Search products</label>
          <input
            id="search"
            type="search"
            placeholder="Name or SKU"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <label htmlFor="category" className="visually-hidden">
            Category
          </label>
          <select
            id="category"
            value={categoryId}
            onChange={(e) => {
              setCategoryId(e.target.value);
              setCursors([null]);
            }}
          >
            <option value="">All categories</option>
            {catalog.data?.categories.map((category) => (
              <option key={category.id} value={category.id}>
                {category.name}
              </option>
            ))}
          </select>
          <button type="submit">Search</button>
        </form>
      </div>
      <Problems error={error} />
      <p className="result-count" aria-live="polite">
        {products ? `${products.totalCount} products${query ? ` matching “${query}”` : ''}` : loading ? 'Loading…' : ''}
      </p>
      <ul className="grid">
        {products?.edges.map(({ node }) => (
          <ProductCard key={node.id} product={node} />
        ))}
      </ul>
      {products && products.totalCount > PAGE_SIZE && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={page === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            ← Previous
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button
            type="button"
            disabled={!products.pageInfo.hasNextPage}
            onClick={() => setCursors([...cursors, products.pageInfo.endCursor ?? null])}
          >
            Next →
          </button>
        </nav>
      )}
    </section>
  );
}

function ProductCard({ product }: { product: Product }) {
  const [added, setAdded] = useState(false);
  const add = () => {
    addToCart({
      productId: product.id,
      name: product.name,
      unitPrice: product.price.amount,
      currencyCode: product.price.currencyCode,
    });
    setAdded(true);
  };
  return (
    <li className="card">
      <div className="thumb" aria-hidden="true" style={{ '--hue': hue(product.sku) } as React.CSSProperties}>
        {product.name.charAt(0)}
      </div>
      <div className="card-body">
        <p className="meta">
          {product.brand?.name ?? 'Unbranded'}
          {product.category && ` · ${product.category.name}`}
        </p>
        <h2>
          <a href={href('product', product.id)}>{product.name}</a>
        </h2>
        <p className="price">{formatMoney(product.price)}</p>
        <p className={product.inStock ? 'stock' : 'stock out'}>
          {product.inStock ? `${product.available} in stock` : 'Out of stock'}
        </p>
      </div>
      <button type="button" disabled={!product.inStock} onClick={add} aria-label={`Add ${product.name} to cart`}>
        {added ? 'Added ✓' : 'Add to cart'}
      </button>
    </li>
  );
}

/** A stable colour per product for its placeholder picture. */
export function hue(seed: string): number {
  let value = 0;
  for (const char of seed) value = (value * 31 + char.charCodeAt(0)) % 360;
  return value;
}
