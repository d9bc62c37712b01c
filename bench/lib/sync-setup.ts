/** What bench:sync and the direct-COPY probe share: the shop's size, Postgres, the JSONL files. */
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { resolvePostgres } from "../../scripts/lib/postgres";
import type { ShopSize } from "../synthetic-shop";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** `--orders`, `--customers`, `--products`; by default the shop (1M, 200k, 20k). */
export function shopSizeFromArguments(): ShopSize {
  return {
    orders: argument("orders", 1_000_000),
    customers: argument("customers", 200_000),
    products: argument("products", 20_000),
  };
}

/** The Postgres at DATABASE_URL (or the local default), started embedded if none answers. */
export function benchPostgres() {
  return resolvePostgres(
    undefined,
    process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    root,
    (line) => console.error(line),
  );
}

/** Writes `lines` to `file`, one per line, in 1 MB writes. */
export async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = fs.createWriteStream(file);
  let chunk = "";
  for (const line of lines) {
    chunk += line + "\n";
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}
