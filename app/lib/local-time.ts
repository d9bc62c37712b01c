/**
 * Converts a wall-clock time in an IANA zone ("2011-03-27 01:30:00" in Europe/London) to the
 * instant it denotes. Exports and spreadsheets give local times without an offset; storing
 * them as instants needs the zone's offset at that moment, which Intl knows.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Offset of `timeZone` from UTC at `instantMs`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * @returns the instant, or null when `wallTime` is not `YYYY-MM-DD HH:MM[:SS]` or names an
 * impossible date. An ambiguous time (autumn fall-back) maps to its first occurrence; a time
 * inside a spring-forward gap is read with the offset in force before the gap, which lands
 * it just after the gap, as most schedulers do.
 */
export function wallTimeToInstant(wallTime: string, timeZone: string): Date | null {
  const match = WALL_TIME.exec(wallTime);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  if (hour! > 23 || minute! > 59 || second! > 59) return null;
  const asUtc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) return null;
  // Any transition near this wall time lies within a day of it: the offsets half a day
  // either side are the only candidates.
  const before = zoneOffsetMs(timeZone, asUtc - 12 * 3600_000);
  const after = zoneOffsetMs(timeZone, asUtc + 12 * 3600_000);
  const valid = [before, after]
    .map((offset) => asUtc - offset)
    .filter((instant) => asUtc - zoneOffsetMs(timeZone, instant) === instant);
  return new Date(valid.length > 0 ? Math.min(...valid) : asUtc - before);
}

const DAY_MS = 86_400_000;

/**
 * A calendar day number (days since 1970-01-01, how the models count shop-local days) as
 * "YYYY-MM-DD". Calendar arithmetic only: no time zone is involved.
 */
export function dayNumberToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
