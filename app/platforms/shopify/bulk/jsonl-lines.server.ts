/**
 * The lines of a bulk operation's JSONL result, downloaded as a stream: memory holds one
 * network chunk at a time, whatever the file's size. Blank lines are skipped; `seq` counts
 * the others from 1, and is what staging and resume cursors call a line number.
 */
export interface JsonlLine {
  seq: number;
  text: string;
}

export async function* jsonlLines(
  url: string,
  options: { fetchImpl?: typeof fetch; signal?: AbortSignal } = {},
): AsyncGenerator<JsonlLine> {
  const response = await (options.fetchImpl ?? fetch)(url, { signal: options.signal });
  if (!response.ok || !response.body) throw new Error(`bulk result download failed: HTTP ${response.status}`);
  // Split by hand: over the sync benchmark's 400,370 order lines this took 0.20-0.28 s
  // where node:readline took 0.32-0.39 s (warm runs).
  const decoder = new TextDecoder();
  let seq = 0;
  let rest = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const line = text.slice(start, end).trim();
      start = end + 1;
      if (line) yield { seq: ++seq, text: line };
    }
    rest = text.slice(start);
  }
  const last = (rest + decoder.decode()).trim();
  if (last) yield { seq: ++seq, text: last };
}

/** A line's object, or an error that says which line is broken. */
export function parseJsonlLine({ seq, text }: JsonlLine): Record<string, unknown> & { id: string } {
  let node: unknown;
  try {
    node = JSON.parse(text);
  } catch {
    throw new Error(`bulk result line ${seq} is not valid JSON`);
  }
  if (typeof (node as { id?: unknown } | null)?.id !== "string") {
    throw new Error(`bulk result line ${seq} has no Shopify id`);
  }
  return node as Record<string, unknown> & { id: string };
}

/**
 * Stops reading `lines` and cancels the download behind it, without waiting: cancelling can
 * wait on the network (a body that was aborted mid-way may never settle its cancel), and
 * nothing needs it finished.
 */
export function stopReading(lines: AsyncGenerator<JsonlLine>): void {
  lines.return(undefined).catch(() => undefined);
}
