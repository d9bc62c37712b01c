/**
 * localDates (orders written directly) against Postgres's own `AT TIME ZONE`, which the
 * merge uses for the same column: the two must agree on every instant, across DST changes
 * and in zones whose offsets are not whole hours.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { localDates } from "~/platforms/shopify/bulk/local-dates";

import { createTestDatabase, type TestDatabase } from "./helpers/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
});
afterAll(async () => {
  await db.drop();
});

const ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"];

/** Every minute from `from` for `minutes` minutes. */
const minutes = (from: string, count: number) =>
  Array.from({ length: count }, (_, i) => new Date(Date.parse(from) + i * 60_000));

async function postgresDays(instants: Date[], zone: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ day: string }>(
    `SELECT (t AT TIME ZONE $2)::date::text AS day FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, n) ORDER BY n`,
    [instants, zone],
  );
  return rows.map((row) => row.day);
}

describe("localDates", () => {
  it("agrees with Postgres minute by minute where clocks changed at 00:01 (St. John's, 2008)", async () => {
    // Newfoundland set its clocks back at 00:01 local time until 2011: at 02:31Z on
    // 2008-11-02 the day went from the 2nd back to the 1st, inside a quarter hour of UTC.
    const instants = minutes("2008-11-02T01:30:00Z", 240);
    expect(instants.map(localDates("America/St_Johns"))).toEqual(await postgresDays(instants, "America/St_Johns"));
  });

  it.each(ZONES)("agrees with Postgres in %s on instants across 2024-2027", async (zone) => {
    // 4,000 fixed pseudo-random instants over four years: about three a day, so many fall
    // within an hour of local midnight, and of each DST change, where a wrong offset shows.
    let seed = 20261127;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const instants = Array.from({ length: 4000 }, () => {
      const day = Date.UTC(2024, 0, 1) + Math.floor(random() * 4 * 365) * 86_400_000;
      return new Date(day + Math.floor(random() * 86_400_000));
    });
    expect(instants.map(localDates(zone))).toEqual(await postgresDays(instants, zone));
  });
});
