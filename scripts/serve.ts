/**
 * The HTTP server: the Remix build behind express, static assets with long caching for the
 * fingerprinted build output. Used by `npm start`, the demo and the end-to-end tests.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = path.join(root, "build", "index.js");

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(options: { host: string; port: number }): Promise<WebServer> {
  const build = (await import(pathToFileURL(BUILD).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  app.use("/build", express.static(path.join(root, "public", "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.all(
    "*",
    createRequestHandler({
      build,
      // Always "production": it is a production build either way, and in "development" Remix
      // would serialise server error stacks into the page. Stacks go to the server log only.
      mode: "production",
      // The TCP peer, never X-Forwarded-For (any client can write that header): the
      // standalone mode trusts loopback peers only.
      getLoadContext: (req) => ({ remoteAddress: req.socket.remoteAddress ?? "" }),
    }),
  );
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, () => resolve(listening));
    listening.once("error", reject);
  });
  // Port 0 asks the OS for a free port: report the one actually bound. A wildcard address
  // is not something a browser can open, so name this machine's loopback instead.
  const { address, port } = server.address() as AddressInfo;
  const reachable = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address;
  const host = reachable.includes(":") ? `[${reachable}]` : reachable;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(target).map((entry) => newestMtime(path.join(target, entry))));
}

/** Runs `remix build` when the build is missing or older than any source it is made from. */
export async function buildIfStale(): Promise<void> {
  const sources = Math.max(newestMtime(path.join(root, "app")), newestMtime(path.join(root, "remix.config.js")));
  if (fs.existsSync(BUILD) && fs.statSync(BUILD).mtimeMs >= sources) return;
  console.log("building the web app (remix build)...");
  const result = spawnSync(path.join(root, "node_modules", ".bin", "remix"), ["build"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    // Node 24 (this process) first on PATH, so the build runs on the same runtime.
    env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` },
  });
  if (result.status !== 0) throw new Error("remix build failed");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { env, EnvError } = await import("~/env.server");
  let config: ReturnType<typeof env>;
  try {
    config = env();
  } catch (error) {
    // A missing variable is an operator's mistake: say which, without a stack trace.
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  await buildIfStale();
  const server = await startWebServer({ host: config.HOST, port: config.PORT });
  console.log(`Foresight listening on ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
