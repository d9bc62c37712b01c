/**
 * COPY text escaping (lib/copy-writer.server.ts). The escapes are those of Postgres's COPY
 * text format (postgresql.org/docs/15/sql-copy.html, "Text Format"): backslash, tab, newline
 * and carriage return are written as \\, \t, \n and \r, and a null as \N.
 */
import { describe, expect, it } from "vitest";

import { copyValue, uncopyValue } from "~/lib/copy-writer.server";

describe("copyValue and uncopyValue", () => {
  it("escape what COPY's text format needs escaped, and nothing else", () => {
    expect(copyValue("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyValue('Größe 42 — "quoted"')).toBe('Größe 42 — "quoted"');
    expect(copyValue(null)).toBe("\\N");
    expect(copyValue(undefined)).toBe("\\N");
    expect(copyValue(12)).toBe("12");
  });

  it("give back what was escaped, including a literal backslash before a letter", () => {
    for (const text of ["", "plain", "tab\there", "line\nbreak\r\n", "C:\\new\\table", "\\N as text", "\\\\t"]) {
      expect(uncopyValue(copyValue(text))).toBe(text);
    }
    expect(uncopyValue("\\N")).toBeNull();
  });
});
