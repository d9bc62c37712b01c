/**
 * An instant's calendar day in a time zone, as YYYY-MM-DD, for orders copied without SQL's
 * `AT TIME ZONE` (direct-orders.server.ts). Intl's formatter costs microseconds a call, a
 * million calls a backfill, so the day is remembered per quarter hour of UTC, when the first
 * and the last instant of that quarter hour fall on the same day. Every change of offset
 * moves the clock by at least 15 minutes, so a day that differs anywhere inside a quarter
 * hour differs at one of its ends too; such quarter hours (local midnight inside them, as in
 * zones whose offset is not a whole quarter hour, or clocks changed at 00:01 as St. John's
 * did until 2011) are formatted instant by instant.
 */
const QUARTER_HOUR_MS = 15 * 60_000;

export function localDates(timezone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  /** The day of each quarter hour seen, or null when the day changes inside it. */
  const days = new Map<number, string | null>();
  return (at) => {
    const quarter = Math.floor(at.getTime() / QUARTER_HOUR_MS);
    let day = days.get(quarter);
    if (day === undefined) {
      const first = format.format(new Date(quarter * QUARTER_HOUR_MS));
      const last = format.format(new Date((quarter + 1) * QUARTER_HOUR_MS - 1));
      day = first === last ? first : null;
      days.set(quarter, day);
    }
    return day ?? format.format(at);
  };
}
