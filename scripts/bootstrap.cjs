#!/usr/bin/env node
// Entry point for the npm scripts that must work as the first command on a fresh clone
// (`npm run demo`, `npm test`, `npm run import`, benchmarks). It runs on whatever Node the
// machine has (20 or newer), so it is plain CommonJS with no dependencies. It:
//   1. installs the dependencies when node_modules is missing or older than package-lock.json;
//   2. regenerates the Prisma client when prisma/schema.prisma changed;
//   3. runs the given TypeScript entry point on the project's own Node 24 (the `node`
//      devDependency) through tsx, forwarding arguments, signals and the exit code.
"use strict";
const { spawnSync, spawn } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const modules = path.join(root, "node_modules");
const node24 = path.join(modules, "node", "bin", "node");
const depsStamp = path.join(modules, ".foresight-deps");
const clientStamp = path.join(modules, ".foresight-prisma-client");

function sha256(file) {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function readStamp(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function run(cmd, args, what, env = process.env) {
  const result = spawnSync(cmd, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) {
    console.error(`foresight: ${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

function ensureDependencies() {
  const lock = path.join(root, "package-lock.json");
  const wanted = sha256(lock);
  if (readStamp(depsStamp) === wanted && fs.existsSync(node24)) return;
  console.error("foresight: installing dependencies (npm ci)...");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  run(npm, ["ci", "--no-audit", "--no-fund"], "npm ci");
  if (!fs.existsSync(node24)) {
    console.error("foresight: the Node 24 runtime (devDependency `node`) did not install.");
    process.exit(1);
  }
  fs.writeFileSync(depsStamp, wanted);
}

function ensurePrismaClient() {
  const schema = path.join(root, "prisma", "schema.prisma");
  const wanted = sha256(schema);
  if (readStamp(clientStamp) === wanted) return;
  console.error("foresight: generating the Prisma client...");
  // Generating connects to nothing, but Prisma must be able to read the datasource URL or it
  // falls back to its native engine, which it would try to download.
  const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL || "postgresql://localhost/unused" };
  run(node24, [path.join(modules, "prisma", "build", "index.js"), "generate"], "prisma generate", env);
  fs.writeFileSync(clientStamp, wanted);
}

function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error("usage: node scripts/bootstrap.cjs <entry.ts> [args...]");
    process.exit(2);
  }
  ensureDependencies();
  ensurePrismaClient();
  const child = spawn(node24, ["--import", "tsx", path.resolve(root, entry), ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: `${path.join(modules, ".bin")}${path.delimiter}${process.env.PATH}` },
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

main();
