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

describe("localDates", () => {
  it.each(ZONES)("agrees with Postgres in %s on instants across 2024-2027", async (zone) => {
    // 4,000 fixed pseudo-random instants over four years: about three a day, so many fall
    // within an hour of local midnight, and of each DST change, where a wrong offset shows.
    let seed = 20261127;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const instants = Array.from({ length: 4000 }, () => {
      const day = Date.UTC(2024, 0, 1) + Math.floor(random() * 4 * 365) * 86_400_000;
      return new Date(day + Math.floor(random() * 86_400_000));
    });
    const { rows } = await db.pool.query<{ day: string }>(
      `SELECT (t AT TIME ZONE $2)::date::text AS day FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, n) ORDER BY n`,
      [instants, zone],
    );
    const dayOf = localDates(zone);
    expect(instants.map(dayOf)).toEqual(rows.map((row) => row.day));
  });
});
