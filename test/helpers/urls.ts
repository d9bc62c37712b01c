/**
 * The migrated template each test file clones. One per `vitest run` (named after its process),
 * so two runs on one machine, say a developer's and an editor's, never drop each other's.
 */
export const templateDatabaseFor = (pid: number): string => `foresight_test_template_${pid}`;

/** The maintenance-database URL of the Postgres the tests use (scripts/test.ts sets it). */
export function testAdminUrl(): string {
  return (
    process.env.FORESIGHT_TEST_ADMIN_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres"
  );
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
}
