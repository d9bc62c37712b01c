import { describe, expect, it } from "vitest";

import { EnvError, parseEnv } from "~/env.server";

const BASE = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/foresight" };

describe("environment", () => {
  it("fills defaults for a minimal development environment", () => {
    const env = parseEnv(BASE);
    expect(env).toMatchObject({
      NODE_ENV: "development",
      REDIS_URL: "redis://127.0.0.1:6379",
      PORT: 3000,
      FORESIGHT_STANDALONE: false,
      FORESIGHT_INLINE_JOBS: false,
    });
  });

  it("lists every problem at once, readably, without echoing values", () => {
    let error: unknown;
    try {
      parseEnv({ DATABASE_URL: "mysql://root:hunter2@db/x", PORT: "eighty", REDIS_URL: "http://cache" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).problems).toEqual([
      "DATABASE_URL: must be a postgres:// or postgresql:// URL",
      "REDIS_URL: must be a redis:// or rediss:// URL",
      expect.stringMatching(/^PORT: /),
    ]);
    expect((error as Error).message).toMatch(/^Invalid environment:\n {2}- DATABASE_URL/);
    expect((error as Error).message).not.toContain("hunter2");
  });

  it("says which variable is missing", () => {
    expect(() => parseEnv({})).toThrow("DATABASE_URL: is missing");
  });

  it("refuses standalone mode and missing secrets in production", () => {
    expect(() => parseEnv({ ...BASE, NODE_ENV: "production", FORESIGHT_STANDALONE: "1" })).toThrow(
      /FORESIGHT_STANDALONE: standalone mode is for local demos[\s\S]*SHOPIFY_API_KEY: is required in production[\s\S]*ENCRYPTION_KEY: is required in production/,
    );
  });

  it("checks the encryption key's length", () => {
    expect(() => parseEnv({ ...BASE, ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") })).toThrow(
      "ENCRYPTION_KEY: must be 32 bytes encoded as base64",
    );
    expect(parseEnv({ ...BASE, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }).ENCRYPTION_KEY).toBeDefined();
  });
});
