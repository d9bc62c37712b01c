/**
 * Exact money arithmetic for parsers: decimal strings become integers of ten-thousandths
 * (the scale of every money column), so sums never pick up binary floating-point error.
 */
export const MONEY_SCALE = 10_000;
const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,4}))?$/;

/** "12.5" -> 125000; null when the text is not a decimal with at most four places. */
export function parseMoney(text: string): number | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const value = Number(whole) * MONEY_SCALE + Number(fraction.padEnd(4, "0"));
  if (!Number.isSafeInteger(value)) return null;
  return sign ? -value : value;
}

/** 125000 -> "12.5000" */
export function formatMoney(scaled: number): string {
  const sign = scaled < 0 ? "-" : "";
  const magnitude = Math.abs(scaled);
  const whole = Math.floor(magnitude / MONEY_SCALE);
  const fraction = String(magnitude % MONEY_SCALE).padStart(4, "0");
  return `${sign}${whole}.${fraction}`;
}
