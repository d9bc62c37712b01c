/** Display formatting for the admin UI; money arrives as decimal strings from Postgres. */

export function formatCurrency(amount: string | number, currency: string): string {
  return new Intl.NumberFormat("en-GB", { style: "currency", currency, minimumFractionDigits: 2 }).format(
    Number(amount),
  );
}

/** "£10.67M": for headline cards, where the exact amount is shown beneath. */
export function formatCurrencyCompact(amount: string | number, currency: string): string {
  return new Intl.NumberFormat("en-GB", {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: 2,
  }).format(Number(amount));
}

export function formatCount(value: number): string {
  return new Intl.NumberFormat("en-GB").format(value);
}

/** "2011-03" -> "Mar 2011" */
export function formatMonth(month: string): string {
  const [year, index] = month.split("-").map(Number) as [number, number];
  return new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, index - 1, 1)),
  );
}
