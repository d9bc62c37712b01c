import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

describe("the app/ml boundary", () => {
  it("rejects database, queue and server-only imports and the environment inside app/ml", async () => {
    const code = [
      'import { PrismaClient } from "@prisma/client";',
      'import { Queue } from "bullmq";',
      'import Redis from "ioredis";',
      'import { db } from "~/db.server";',
      "export const all = [PrismaClient, Queue, Redis, db, process.env.SEED];",
    ].join("\n");
    const ids = await ruleIds("app/ml/als/example.ts", code);
    expect(ids.filter((id) => id === "no-restricted-imports")).toHaveLength(4);
    expect(ids).toContain("no-restricted-properties");
  });

  it("allows the numeric libraries there, and allows Prisma elsewhere", async () => {
    const numeric =
      'import { Matrix } from "ml-matrix";\nimport { mean } from "simple-statistics";\nexport const x = [Matrix, mean];\n';
    expect(await ruleIds("app/ml/als/example.ts", numeric)).toEqual([]);
    const server = 'import { PrismaClient } from "@prisma/client";\nexport const c = PrismaClient;\n';
    expect(await ruleIds("app/read/example.server.ts", server)).toEqual([]);
  });
});
