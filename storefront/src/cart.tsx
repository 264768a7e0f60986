import { useSyncExternalStore } from 'react';

/** The cart lives in this browser only (localStorage) until an order is placed from it. */
export interface CartLine {
  productId: string;
  name: string;
  unitPrice: string;
  currencyCode: string;
  quantity: number;
}

const KEY = 'storefront.cart';
const listeners = new Set<() => void>();
let snapshot: { raw: string | null; lines: CartLine[] } = { raw: null, lines: [] };

function read(): CartLine[] {
  const raw = localStorage.getItem(KEY);
  if (raw !== snapshot.raw) {
    let lines: CartLine[] = [];
    try {
      lines = raw ? (JSON.parse(raw) as CartLine[]) : [];
    } catch {
      lines = [];
    }
    snapshot = { raw, lines };
  }
  return snapshot.lines;
}

function write(lines: CartLine[]) {
  localStorage.setItem(KEY, JSON.stringify(lines));
  for (const listener of listeners) listener();
}

/** Adds units of a product; the API allows 1 to 100 units per line. */
export function addToCart(line: Omit<CartLine, 'quantity'>, quantity = 1) {
  const lines = read();
  const existing = lines.find((entry) => entry.productId === line.productId);
  if (existing)
    write(
      lines.map((entry) => (entry === existing ? { ...entry, quantity: clamp(entry.quantity + quantity) } : entry)),
    );
  else write([...lines, { ...line, quantity: clamp(quantity) }]);
}

export function setQuantity(productId: string, quantity: number) {
  write(read().map((entry) => (entry.productId === productId ? { ...entry, quantity: clamp(quantity) } : entry)));
}

export function removeFromCart(productId: string) {
  write(read().filter((entry) => entry.productId !== productId));
}

export function clearCart() {
  write([]);
}

const clamp = (quantity: number) => Math.min(100, Math.max(1, Math.trunc(quantity) || 1));

export function useCart(): CartLine[] {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, read);
}

/** The cart's total in cents, to avoid float sums of prices; the order's real total comes from the API. */
export function cartTotal(lines: CartLine[]): string {
  const cents = lines.reduce((sum, line) => sum + Math.round(Number(line.unitPrice) * 100) * line.quantity, 0);
  return (cents / 100).toFixed(2);
}
