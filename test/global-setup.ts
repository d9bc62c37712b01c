/**
 * Once per `vitest run`: build a migrated template database. Each test file then clones it
 * (CREATE DATABASE ... TEMPLATE), which takes milliseconds and keeps files isolated.
 */
import pg from "pg";
import type { TestProject } from "vitest/node";

import { migrate } from "../prisma/migrate";

import { TEMPLATE_DATABASE, testAdminUrl, withDatabase } from "./helpers/urls";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = testAdminUrl();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  } finally {
    await admin.end();
  }
  await migrate(withDatabase(adminUrl, TEMPLATE_DATABASE));
  project.provide("adminUrl", adminUrl);
}
