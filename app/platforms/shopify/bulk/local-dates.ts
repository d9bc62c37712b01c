/**
 * An instant's calendar day in a time zone, as YYYY-MM-DD, for orders copied without SQL's
 * `AT TIME ZONE` (direct-orders.server.ts). Intl's formatter costs microseconds a call, a
 * million calls a backfill, so days are remembered per quarter hour of UTC: every offset in
 * use since the 1970s, and every change of one, falls on a quarter hour, so all instants of
 * one quarter hour share a day.
 */
const QUARTER_HOUR_MS = 15 * 60_000;

export function localDates(timezone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  const days = new Map<number, string>();
  return (at) => {
    const quarter = Math.floor(at.getTime() / QUARTER_HOUR_MS);
    let day = days.get(quarter);
    if (day === undefined) {
      day = format.format(new Date(quarter * QUARTER_HOUR_MS));
      days.set(quarter, day);
    }
    return day;
  };
}
