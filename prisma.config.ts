// Prisma CLI configuration. The "js" engine uses the Wasm schema engine shipped inside the
// prisma package, so `prisma generate` and `prisma migrate diff` work without downloading
// native engine binaries (which this project's machines cannot fetch; see ADR 0001).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  schema: "prisma/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    return new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    });
  },
});
