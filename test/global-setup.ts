/**
 * Once per `vitest run`: build a migrated template database. Each test file then clones it
 * (CREATE DATABASE ... TEMPLATE), which takes milliseconds and keeps files isolated.
 */
import pg from "pg";
import type { TestProject } from "vitest/node";

import { migrate } from "../prisma/migrate";

import { templateDatabaseFor, testAdminUrl, withDatabase } from "./helpers/urls";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}

async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = testAdminUrl();
  const template = templateDatabaseFor(process.pid);
  await asAdmin(adminUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await asAdmin(adminUrl, `CREATE DATABASE "${template}"`);
  await migrate(withDatabase(adminUrl, template));
  project.provide("adminUrl", adminUrl);
  project.provide("templateDatabase", template);
  return () => asAdmin(adminUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
}
