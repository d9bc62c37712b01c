import crypto from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

import { createDatabase, type Database } from "~/db.server";

import { withDatabase } from "./urls";

export interface TestDatabase extends Database {
  url: string;
  /** Closes the connections and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("adminUrl") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of this test file's own (a clone of the template). */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `foresight_test_${crypto.randomBytes(6).toString("hex")}`;
  await admin((client) =>
    client.query(
      options.empty
        ? `CREATE DATABASE "${name}"`
        : `CREATE DATABASE "${name}" TEMPLATE "${inject("templateDatabase")}"`,
    ),
  );
  const url = withDatabase(inject("adminUrl"), name);
  const database = createDatabase(url, { max: 4 });
  return {
    ...database,
    url,
    async drop() {
      await database.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
