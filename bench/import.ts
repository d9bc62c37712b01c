/**
 * `npm run bench:import [-- --runs N]`: imports the full Online Retail CSV (541,909 rows)
 * into an empty store, N times (default 3), each in a fresh database and a fresh process so
 * peak RSS is per run. Prints one JSON line: the median run's figures and every run.
 * Target (issue 2): under 30 s on a 2-core machine.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

import { createDatabase } from "~/db.server";
import { importOnlineRetail } from "~/platforms/csv/online-retail-import.server";

import { migrate } from "../prisma/migrate";
import { resolvePostgres, withDatabase } from "../scripts/lib/postgres";

import { machine, median } from "./machine";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FILE = path.join(root, "prisma", "seed", "online_retail.csv.gz");

interface RunFigures {
  seconds: number;
  rows_per_s: number;
  orders_per_s: number;
  peak_rss_mb: number;
  rows: number;
  orders: number;
  lines: number;
}

async function oneRun(adminUrl: string): Promise<RunFigures> {
  const name = `foresight_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = withDatabase(adminUrl, name);
  try {
    await migrate(url);
    const database = createDatabase(url);
    const started = performance.now();
    const report = await importOnlineRetail(database, FILE);
    const seconds = (performance.now() - started) / 1000;
    await database.close();
    return {
      seconds: round(seconds, 2),
      rows_per_s: Math.round(report.rows / seconds),
      orders_per_s: Math.round(report.orders.seen / seconds),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      rows: report.rows,
      orders: report.orders.seen,
      lines: report.saleLines,
    };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

async function main() {
  const args = process.argv.slice(2);
  const childAdmin = args[args.indexOf("--child") + 1];
  if (args.includes("--child") && childAdmin) {
    console.log(JSON.stringify(await oneRun(childAdmin)));
    return;
  }
  const runs = Number(args[args.indexOf("--runs") + 1] ?? 3) || 3;
  const postgres = await resolvePostgres(
    undefined,
    process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    root,
    (line) => console.error(line),
  );
  const figures: RunFigures[] = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--child", postgres.adminUrl],
      {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, LOG_LEVEL: "warn" },
      },
    );
    if (child.status !== 0) throw new Error(`run ${run + 1} failed`);
    figures.push(JSON.parse(child.stdout.trim().split("\n").pop()!) as RunFigures);
    console.error(`run ${run + 1}/${runs}: ${figures.at(-1)!.seconds} s`);
  }
  await postgres.stop();
  const medianSeconds = median(figures.map((f) => f.seconds));
  console.log(
    JSON.stringify({
      bench: "import",
      dataset: "online_retail",
      final: true,
      seconds: medianSeconds,
      rows_per_s: median(figures.map((f) => f.rows_per_s)),
      orders_per_s: median(figures.map((f) => f.orders_per_s)),
      peak_rss_mb: median(figures.map((f) => f.peak_rss_mb)),
      target_seconds: 30,
      runs: figures,
      machine: machine(),
    }),
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
