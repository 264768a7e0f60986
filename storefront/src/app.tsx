import { useApolloClient } from '@apollo/client/react';
import { useEffect, useRef } from 'react';
import { useCart } from './cart.tsx';
import { AccountPage } from './pages/account.tsx';
import { AdminPage } from './pages/admin.tsx';
import { LoginPage, RegisterPage } from './pages/auth.tsx';
import { CartPage } from './pages/cart.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { OrderPage } from './pages/order.tsx';
import { ProductPage } from './pages/product.tsx';
import { href, parseRoute, type Route, useHash } from './router.tsx';
import { signOut, useSession } from './session.tsx';

export function App() {
  const route = parseRoute(useHash());
  const session = useSession();
  const cart = useCart();
  const client = useApolloClient();
  const main = useRef<HTMLElement>(null);
  const units = cart.reduce((sum, line) => sum + line.quantity, 0);

  // A new page moves keyboard and screen-reader focus to its content, as a page load would.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every route change by design
  useEffect(() => {
    main.current?.focus();
  }, [route.page, 'id' in route ? route.id : '']);

  const logout = async () => {
    signOut();
    await client.clearStore();
    location.hash = href();
  };

  return (
    <>
      <button type="button" className="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <a className="brand" href={href()}>
          <span aria-hidden="true">◆</span> Supergraph Store
        </a>
        <nav aria-label="Main">
          <a href={href()} aria-current={route.page === 'catalog' ? 'page' : undefined}>
            Catalog
          </a>
          <a href={href('cart')} aria-current={route.page === 'cart' ? 'page' : undefined}>
            Cart{units > 0 && <span className="count"> ({units})</span>}
          </a>
          {session ? (
            <>
              <a href={href('account')} aria-current={route.page === 'account' ? 'page' : undefined}>
                My account
              </a>
              {session.admin && (
                <a href={href('admin')} aria-current={route.page === 'admin' ? 'page' : undefined}>
                  Admin
                </a>
              )}
              <button type="button" className="link" onClick={logout}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <a href={href('login')}>Sign in</a>
              <a href={href('register')}>Register</a>
            </>
          )}
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <footer className="bottom">
        Test cards: <code>tok_visa</code> pays, <code>tok_chargeDeclined</code> is declined. Nobody is charged.
      </footer>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalog':
      return <CatalogPage />;
    case 'product':
      return <ProductPage id={route.id} />;
    case 'cart':
      return <CartPage />;
    case 'login':
      return <LoginPage />;
    case 'register':
      return <RegisterPage />;
    case 'order':
      return <OrderPage id={route.id} />;
    case 'account':
      return <AccountPage />;
    case 'admin':
      return <AdminPage />;
    default:
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            <a href={href()}>Back to the catalog</a>
          </p>
        </section>
      );
  }
}
