import pino from "pino";

/**
 * One structured logger (JSON lines on stderr). Anything that looks like a credential is
 * redacted, so a careless `log.info({ session })` cannot leak a token.
 */
export const log = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
    base: { service: "foresight" },
    redact: {
      paths: [
        "accessToken",
        "refreshToken",
        "*.accessToken",
        "*.refreshToken",
        "consumerKey",
        "consumerSecret",
        "*.consumerKey",
        "*.consumerSecret",
        "password",
        "*.password",
        "headers.authorization",
        "headers.cookie",
        "databaseUrl",
      ],
      censor: "[redacted]",
    },
  },
  pino.destination(2),
);

/** A database URL fit for a log line: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable url)";
  }
}
