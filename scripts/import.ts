/**
 * `npm run import -- --format online-retail FILE [--shop DOMAIN] [--name NAME]`
 * Loads a store export through the ingest layer into DATABASE_URL (migrating it first) and
 * prints a report; malformed rows are listed with their line numbers.
 */
import { parseArgs } from "node:util";

import { createDatabase } from "~/db.server";
import { env } from "~/env.server";
import { importOnlineRetail } from "~/platforms/csv/online-retail-import.server";

import { migrate } from "../prisma/migrate";

const FORMATS = ["online-retail"] as const;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { format: { type: "string" }, shop: { type: "string" }, name: { type: "string" } },
  });
  const file = positionals[0];
  if (!file || !FORMATS.includes(values.format as (typeof FORMATS)[number])) {
    console.error(`usage: npm run import -- --format ${FORMATS.join("|")} FILE [--shop DOMAIN] [--name NAME]`);
    process.exit(2);
  }
  const url = env().DATABASE_URL;
  await migrate(url);
  const database = createDatabase(url);
  try {
    const shop = values.shop ? { domain: values.shop, name: values.name ?? values.shop } : undefined;
    const started = performance.now();
    const report = await importOnlineRetail(database, file, {
      shop,
      onProgress: (phase, done, total) => process.stderr.write(`\r${phase}: ${done}/${total}   `),
    });
    process.stderr.write("\n");
    for (const row of report.rejected) console.error(`line ${row.line}: ${row.reason}`);
    if (report.rejectedCount > report.rejected.length) {
      console.error(`... and ${report.rejectedCount - report.rejected.length} more rejected rows`);
    }
    console.log(
      JSON.stringify(
        { ...report, rejected: undefined, seconds: Math.round(performance.now() - started) / 1000 },
        null,
        2,
      ),
    );
  } finally {
    await database.close();
  }
}

main().catch((error: Error) => {
  console.error(`import: ${error.message}`);
  process.exit(1);
});
