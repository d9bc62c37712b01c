import { describe, expect, it } from "vitest";

import { dayNumberToIso, wallTimeToInstant, zoneOffsetMs } from "~/lib/local-time";
import { formatMoney, parseMoney } from "~/lib/money";

// Transition instants from the IANA tz database (Europe/London, 2011):
// BST began 2011-03-27 01:00 UTC and ended 2011-10-30 01:00 UTC.
describe("wall-clock times in a zone", () => {
  it("reads winter and summer times with the right offset", () => {
    expect(wallTimeToInstant("2010-12-01 08:26:00", "Europe/London")?.toISOString()).toBe("2010-12-01T08:26:00.000Z");
    expect(wallTimeToInstant("2011-06-10 15:28:00", "Europe/London")?.toISOString()).toBe("2011-06-10T14:28:00.000Z");
    expect(wallTimeToInstant("2026-07-01 09:00", "America/New_York")?.toISOString()).toBe("2026-07-01T13:00:00.000Z");
  });

  it("maps an ambiguous autumn time to its first occurrence and a spring gap past the gap", () => {
    expect(wallTimeToInstant("2011-10-30 01:30:00", "Europe/London")?.toISOString()).toBe("2011-10-30T00:30:00.000Z");
    expect(wallTimeToInstant("2011-03-27 01:30:00", "Europe/London")?.toISOString()).toBe("2011-03-27T01:30:00.000Z");
  });

  it("rejects impossible dates", () => {
    expect(wallTimeToInstant("2011-02-29 10:00:00", "Europe/London")).toBeNull();
    expect(wallTimeToInstant("2011-13-01 10:00:00", "Europe/London")).toBeNull();
    expect(wallTimeToInstant("yesterday", "Europe/London")).toBeNull();
  });

  it("knows offsets on both sides of a transition", () => {
    expect(zoneOffsetMs("Europe/London", Date.UTC(2011, 2, 27, 0, 59))).toBe(0);
    expect(zoneOffsetMs("Europe/London", Date.UTC(2011, 2, 27, 1, 0))).toBe(3600_000);
  });
});

describe("day numbers", () => {
  it("print as calendar dates", () => {
    expect(dayNumberToIso(0)).toBe("1970-01-01");
    expect(dayNumberToIso(15_227)).toBe("2011-09-10"); // C1's cutoff
    expect(dayNumberToIso(-1)).toBe("1969-12-31");
  });
});

describe("money", () => {
  it("parses and formats without floating-point error", () => {
    expect(parseMoney("0.1")! + parseMoney("0.2")!).toBe(parseMoney("0.3"));
    expect(formatMoney(parseMoney("-12.5")!)).toBe("-12.5000");
    expect(parseMoney("1.23456")).toBeNull();
    expect(parseMoney("1e3")).toBeNull();
  });
});
