import { z } from "zod";

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .default("")
  .transform((value) => value === "1" || value === "true" || value === "yes");

const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgres:// or postgresql:// URL");

const redisUrl = z
  .string()
  .url()
  .refine((value) => /^rediss?:\/\//.test(value), "must be a redis:// or rediss:// URL");

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    DATABASE_URL: postgresUrl,
    REDIS_URL: redisUrl.default("redis://127.0.0.1:6379"),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Opens the admin UI without Shopify for one shop; loopback only, never in production. */
    FORESIGHT_STANDALONE: flag,
    /** Domain of the shop the standalone UI shows (the demo store by default). */
    FORESIGHT_STANDALONE_SHOP: z.string().min(1).default("online-retail-demo"),
    /** BullMQ key prefix: lets several deployments (or test runs) share one Redis. */
    FORESIGHT_QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9-]+$/, "lowercase letters, digits and dashes")
      .default("foresight"),
    /** Run job processors inside the web process instead of a worker (demo fallback without Redis). */
    FORESIGHT_INLINE_JOBS: flag,
    SHOPIFY_API_KEY: z.string().min(1).optional(),
    SHOPIFY_API_SECRET: z.string().min(1).optional(),
    SHOPIFY_APP_URL: z.string().url().optional(),
    /** 32 bytes, base64: encrypts WooCommerce keys at rest (AES-256-GCM). */
    ENCRYPTION_KEY: z
      .string()
      .refine((value) => Buffer.from(value, "base64").length === 32, "must be 32 bytes encoded as base64")
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (env.FORESIGHT_STANDALONE) {
      ctx.addIssue({
        code: "custom",
        path: ["FORESIGHT_STANDALONE"],
        message: "standalone mode is for local demos and cannot be enabled in production",
      });
    }
    for (const key of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "ENCRYPTION_KEY"] as const) {
      if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required in production" });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

/** Thrown when the environment is incomplete; its message lists every problem, one per line. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses an environment; pure, so tests can pass their own. Values are never echoed back. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const missing = issue.code === "invalid_type" && source[name] === undefined;
    return missing ? `${name}: is missing` : `${name}: ${issue.message}`;
  });
  throw new EnvError(problems);
}

let cached: Env | undefined;

/** The process environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
