/**
 * `npm test`: lint, typecheck, then the vitest suite against real Postgres and Redis.
 *
 * Postgres: DATABASE_URL (or 127.0.0.1:5432) when it answers, else the embedded server the
 * demo uses. Redis: REDIS_URL (or 127.0.0.1:6379); when none answers we stop at once and say
 * how to start one, since the queue tests need a real Redis and never a mock.
 * Ends with one plain "N passed, N failed" line.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { redisAnswers } from "~/queues/connection.server";

import { resolvePostgres } from "./lib/postgres";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const say = (line: string) => console.log(`test: ${line}`);

function step(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  say(`${name}...`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  return result.status ?? 1;
}

async function main() {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  if (!(await redisAnswers(redisUrl))) {
    return fail(
      `no Redis answers at ${redisUrl}. Start one, e.g.\n` +
        `  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n` +
        "or set REDIS_URL to a Redis you own.",
    );
  }
  if (step("lint", bin("eslint"), [".", "--max-warnings", "0"]) !== 0) return fail("lint failed");
  if (step("format", bin("prettier"), ["--check", "--log-level", "warn", "."]) !== 0) {
    return fail("formatting differs from Prettier's: run `npm run format`");
  }
  if (step("typecheck", bin("tsc"), ["--noEmit"]) !== 0) return fail("typecheck failed");
  // The production build, checked here once (the end-to-end tests serve it).
  if (step("build", bin("remix"), ["build"]) !== 0) return fail("remix build failed");

  const postgres = await resolvePostgres(
    undefined,
    process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    root,
    say,
  );
  say(`postgres: ${postgres.embedded ? "embedded server" : "configured server"}; redis: ${redisUrl}`);

  const report = path.join(root, ".data", "vitest-report.json");
  fs.mkdirSync(path.dirname(report), { recursive: true });
  fs.rmSync(report, { force: true });
  const status = step(
    "vitest",
    bin("vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    { ...process.env, FORESIGHT_TEST_ADMIN_URL: postgres.adminUrl, REDIS_URL: redisUrl, NODE_ENV: "test" },
  );
  await postgres.stop();
  let passed = 0;
  let failed = 0;
  if (fs.existsSync(report)) {
    const summary = JSON.parse(fs.readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number };
    passed = summary.numPassedTests;
    failed = summary.numFailedTests;
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(status === 0 && failed === 0 && passed > 0 ? 0 : 1);
}

function fail(message: string) {
  console.error(`test: ${message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

main().catch((error: Error) => fail(error.message));
