/** Money comes as a decimal string and a currency code; it is shown, never computed with, here. */
export function formatMoney(money: { amount: string; currencyCode: string } | null | undefined): string {
  if (!money) return '';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: money.currencyCode }).format(
      Number(money.amount),
    );
  } catch {
    return `${money.amount} ${money.currencyCode}`;
  }
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';
}

/** For tables, where a long date would wrap into three lines. */
export function formatShortDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export const shortId = (id: string) => id.slice(0, 8).toUpperCase();

export const titleCase = (value: string) =>
  value
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
