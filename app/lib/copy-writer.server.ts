/**
 * Writes rows to a `COPY ... FROM STDIN` (text format) in 64 KB chunks rather than one stream
 * write per row. (In the first profile of the sync benchmark, with a write per line, socket
 * writes took 6.4 s of the process's 38 s of samples; after the rewrite of ADR 0010, which
 * also batches them, 0.6 s. The batching alone was not measured apart.)
 */
import { once } from "node:events";
import { from as copyFrom } from "pg-copy-streams";
import type pg from "pg";

const CHUNK = 1 << 16;

/** A value as COPY's text format wants it: \N for null, backslash, tab and newlines escaped. */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value !== "string") return String(value);
  return /[\\\t\n\r]/.test(value)
    ? value.replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n").replaceAll("\r", "\\r")
    : value;
}

/** A field of COPY's text format as it was before copyValue: null for \N, escapes undone. */
export function uncopyValue(field: string): string | null {
  if (field === "\\N") return null;
  return field.replace(/\\([\\tnr])/g, (_match, escaped: string) =>
    escaped === "t" ? "\t" : escaped === "n" ? "\n" : escaped === "r" ? "\r" : "\\",
  );
}

export class CopyWriter {
  private buffer = "";
  private readonly stream: ReturnType<typeof copyFrom>;
  private readonly finished: Promise<unknown>;

  /** Starts `sql` (a COPY FROM STDIN) on `client`, which must stay checked out until `end`. */
  constructor(client: pg.ClientBase, sql: string) {
    this.stream = client.query(copyFrom(sql));
    this.finished = once(this.stream, "finish");
    // A failed COPY rejects this before anyone awaits it; `end` still sees the error.
    this.finished.catch(() => undefined);
  }

  /** Queues one row of already-escaped fields; resolves when the stream can take more. */
  row(fields: string[]): Promise<void> {
    return this.rows(fields.join("\t") + "\n");
  }

  /** Queues rows already in COPY text, each ending in a newline. */
  async rows(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length < CHUNK) return;
    const chunk = this.buffer;
    this.buffer = "";
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async end(): Promise<void> {
    this.stream.end(this.buffer);
    this.buffer = "";
    await this.finished;
  }

  /**
   * Cancels an unfinished COPY (the server is told CopyFail), so the connection can take a
   * ROLLBACK. A connection left in the middle of a COPY waits for data forever.
   */
  async abort(reason: Error): Promise<void> {
    if (this.stream.writableFinished || this.stream.destroyed) return;
    const closed = once(this.stream, "close").catch(() => undefined);
    this.stream.destroy(reason);
    await closed;
  }
}
