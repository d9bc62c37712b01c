import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";

import { env } from "./env.server";
import { log } from "./logger.server";

/**
 * A connection to one database: a pg pool for the bulk paths (ingest, aggregates) and a
 * Prisma client for everything else, both over the same pool.
 */
export interface Database {
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

// numeric comes back from pg as a string; keep it that way (money is never a float), and
// return `date` columns as the plain YYYY-MM-DD string instead of a local-midnight Date.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export function createDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle connection can be cut by the server (restart, failover, DROP DATABASE ... FORCE).
  // pg reports that as an 'error' event, which would crash the process if nobody listened;
  // the pool replaces the connection on next use, so a warning is all it deserves.
  pool.on("error", (error) => log.warn({ err: error.message }, "idle Postgres connection closed by the server"));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    pool,
    prisma,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

let shared: Database | undefined;

/** The process-wide database, created on first use from DATABASE_URL. */
export function db(): Database {
  shared ??= createDatabase(env().DATABASE_URL);
  return shared;
}

export async function closeSharedDatabase(): Promise<void> {
  await shared?.close();
  shared = undefined;
}
