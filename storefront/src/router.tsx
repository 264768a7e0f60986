import { useSyncExternalStore } from 'react';

/**
 * Hash routes (#/product/<id>): the gateway serves one index.html, so no server-side routing is
 * needed and a reload lands on the same page.
 */
export type Route =
  | { page: 'catalog' }
  | { page: 'product'; id: string }
  | { page: 'cart' }
  | { page: 'login' }
  | { page: 'register' }
  | { page: 'order'; id: string }
  | { page: 'account' }
  | { page: 'admin' }
  | { page: 'not-found' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (!first) return { page: 'catalog' };
  if (first === 'product' && second) return { page: 'product', id: second };
  if (first === 'order' && second) return { page: 'order', id: second };
  if (first === 'cart' || first === 'login' || first === 'register' || first === 'account' || first === 'admin') {
    return { page: first };
  }
  return { page: 'not-found' };
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

export function navigate(...parts: string[]) {
  location.hash = href(...parts);
}

function subscribe(listener: () => void) {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => location.hash);
}
