import { useSyncExternalStore } from 'react';

/**
 * The signed-in customer: the JWT from login or registration, kept in localStorage so a reload
 * keeps the session. Its claims are read only to show the right pages (the API authorizes every
 * request itself); an expired token counts as signed out.
 */
export interface Session {
  token: string;
  customerId: string;
  admin: boolean;
  expiresAt: number;
}

const KEY = 'storefront.token';
const listeners = new Set<() => void>();
let cached: { token: string | null; session: Session | null } = { token: null, session: null };

function decode(token: string): Session | null {
  try {
    const part = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      sub?: string;
      roles?: string[];
      exp?: number;
    };
    if (!claims.sub || !claims.exp) return null;
    return {
      token,
      customerId: claims.sub,
      admin: claims.roles?.includes('admin') ?? false,
      expiresAt: claims.exp * 1000,
    };
  } catch {
    return null;
  }
}

function read(): Session | null {
  const token = localStorage.getItem(KEY);
  if (token !== cached.token) cached = { token, session: token ? decode(token) : null };
  const session = cached.session;
  return session && session.expiresAt > Date.now() ? session : null;
}

function emit() {
  for (const listener of listeners) listener();
}

export function signIn(token: string) {
  localStorage.setItem(KEY, token);
  emit();
}

export function signOut() {
  localStorage.removeItem(KEY);
  emit();
}

export const currentToken = (): string | null => read()?.token ?? null;

/** The server closed the live connection because the token expired: the session is over. */
export function onTokenExpired() {
  signOut();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => event.key === KEY && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, read);
}
