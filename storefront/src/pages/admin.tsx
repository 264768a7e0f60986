import { useMutation, useQuery } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { CatalogDocument, CreateProductDocument, ProductsDocument, RestockProductDocument } from '../gql/graphql.ts';
import { href } from '../router.tsx';
import { useSession } from '../session.tsx';
import { fieldError, Problems } from '../ui/errors.tsx';
import { Field } from '../ui/field.tsx';
import { formatMoney } from '../ui/format.ts';

const EMPTY = { sku: '', name: '', description: '', price: '', initialStock: '10', brandId: '', categoryId: '' };

/** Back office: create products and restock them. The API refuses non-admins whatever this page shows. */
export function AdminPage() {
  const session = useSession();
  const [search, setSearch] = useState('');
  const products = useQuery(ProductsDocument, {
    variables: { first: 20, filter: search ? { search } : {} },
    skip: !session?.admin,
    fetchPolicy: 'cache-and-network',
  });
  if (!session?.admin) {
    return (
      <p>
        This page is for administrators. <a href={href('login')}>Sign in as one</a>
      </p>
    );
  }
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Store admin</h1>
      <div className="admin-grid">
        <CreateProductForm onCreated={() => void products.refetch()} />
        <section className="panel" aria-labelledby="stock-title">
          <h2 id="stock-title">Stock</h2>
          <div className="field">
            <label htmlFor="admin-search">Find products</label>
            <input
              id="admin-search"
              type="search"
              placeholder="Name or SKU"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <Problems error={products.error} />
          <table className="lines">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Price</th>
                <th scope="col">Available</th>
                <th scope="col">Restock</th>
              </tr>
            </thead>
            <tbody>
              {products.data?.products.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    {node.name} <small className="meta">{node.sku}</small>
                  </td>
                  <td>{formatMoney(node.price)}</td>
                  <td data-testid={`available-${node.sku}`}>{node.available}</td>
                  <td>
                    <RestockForm productId={node.id} name={node.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </section>
  );
}

function CreateProductForm({ onCreated }: { onCreated: () => void }) {
  const [form, setForm] = useState(EMPTY);
  const catalog = useQuery(CatalogDocument);
  const [create, { data, loading, error }] = useMutation(CreateProductDocument);
  const errors = data?.createProduct.userErrors;
  const created = data?.createProduct.product;
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [key]: event.target.value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { brandId, categoryId, description, initialStock, ...rest } = form;
    const input = {
      ...rest,
      initialStock: Number(initialStock) || 0,
      ...(description ? { description } : {}),
      ...(brandId ? { brandId } : {}),
      ...(categoryId ? { categoryId } : {}),
    };
    const result = await create({ variables: { input } }).catch(() => undefined);
    if (result?.data?.createProduct.product) {
      setForm(EMPTY);
      onCreated();
    }
  };
  return (
    <section className="panel" aria-labelledby="create-title">
      <h2 id="create-title">New product</h2>
      <form onSubmit={submit} className="stacked" noValidate>
        <Problems errors={errors} error={error} />
        <Field label="SKU" required value={form.sku} onChange={set('sku')} error={fieldError(errors, 'sku')} />
        <Field label="Name" required value={form.name} onChange={set('name')} error={fieldError(errors, 'name')} />
        <Field
          label="Description"
          value={form.description}
          onChange={set('description')}
          error={fieldError(errors, 'description')}
        />
        <Field
          label="Price (USD)"
          inputMode="decimal"
          required
          value={form.price}
          onChange={set('price')}
          error={fieldError(errors, 'price')}
        />
        <Field
          label="Initial stock"
          type="number"
          min={0}
          value={form.initialStock}
          onChange={set('initialStock')}
          error={fieldError(errors, 'initialStock')}
        />
        {(['brandId', 'categoryId'] as const).map((key) => (
          <div className="field" key={key}>
            <label htmlFor={`new-${key}`}>{key === 'brandId' ? 'Brand' : 'Category'}</label>
            <select id={`new-${key}`} value={form[key]} onChange={set(key)}>
              <option value="">None</option>
              {(key === 'brandId' ? catalog.data?.brands : catalog.data?.categories)?.map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {entry.name}
                </option>
              ))}
            </select>
          </div>
        ))}
        <button type="submit" className="primary" disabled={loading}>
          Create product
        </button>
        <p role="status">{created && `Created ${created.name} (${created.sku}) with ${created.available} in stock.`}</p>
      </form>
    </section>
  );
}

function RestockForm({ productId, name }: { productId: string; name: string }) {
  const [quantity, setQuantity] = useState('10');
  const [restock, { data, loading, error }] = useMutation(RestockProductDocument);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void restock({ variables: { input: { productId, quantity: Number(quantity) } } }).catch(() => undefined);
  };
  return (
    <form className="inline" onSubmit={submit}>
      <label className="visually-hidden" htmlFor={`restock-${productId}`}>
        Units to add to {name}
      </label>
      <input
        id={`restock-${productId}`}
        className="qty"
        type="number"
        min={1}
        value={quantity}
        onChange={(e) => setQuantity(e.target.value)}
      />
      <button type="submit" disabled={loading}>
        Restock
      </button>
      <Problems errors={data?.restockProduct.userErrors} error={error} />
    </form>
  );
}
