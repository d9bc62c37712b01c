/** Splitting a bulk result download into lines, whatever the network chunks look like. */
import { describe, expect, it } from "vitest";

import { jsonlLines } from "~/platforms/shopify/bulk/jsonl-lines.server";

/** A fetch whose body arrives in exactly these byte chunks. */
function fetchChunks(chunks: Uint8Array[], status = 200): typeof fetch {
  return (async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      }),
      { status },
    )) as typeof fetch;
}

async function collect(chunks: Uint8Array[]) {
  const lines = [];
  for await (const line of jsonlLines("https://storage.example/result.jsonl", { fetchImpl: fetchChunks(chunks) })) {
    lines.push(line);
  }
  return lines;
}

describe("jsonlLines", () => {
  it("rejoins lines and multi-byte characters cut between chunks, skips blank lines, reads CRLF and a last line without newline", async () => {
    const bytes = new TextEncoder().encode('{"id":"a","title":"Café ☕"}\r\n\n{"id":"b"}\n{"id":"c"}');
    // Cut inside "é" (2 bytes) and inside "☕" (3 bytes), and in the middle of the second line.
    const cuts = [23, 27, 38, bytes.length];
    const chunks = cuts.map((end, i) => bytes.slice(i === 0 ? 0 : cuts[i - 1], end));
    expect(await collect(chunks)).toEqual([
      { seq: 1, text: '{"id":"a","title":"Café ☕"}' },
      { seq: 2, text: '{"id":"b"}' },
      { seq: 3, text: '{"id":"c"}' },
    ]);
  });

  it("fails clearly when the download fails", async () => {
    const lines = jsonlLines("https://storage.example/result.jsonl", { fetchImpl: fetchChunks([], 403) });
    await expect(lines.next()).rejects.toThrow("bulk result download failed: HTTP 403");
  });
});
