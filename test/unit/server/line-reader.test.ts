import { describe, expect, it } from "vitest";
import { LineReader } from "../../../src/server/network/line-reader.js";

function feedAll(reader: LineReader, chunks: (string | Buffer)[]): { lines: string[]; results: string[] } {
  const lines: string[] = [];
  const results = chunks.map((c) =>
    reader.feed(Buffer.isBuffer(c) ? c : Buffer.from(c), (l) => lines.push(l)),
  );
  return { lines, results };
}

describe("LineReader", () => {
  it("accepts CRLF and bare LF, several lines per chunk", () => {
    expect(feedAll(new LineReader(100), ["A\r\nB\nC\r\n"]).lines).toEqual(["A", "B", "C"]);
  });

  it("reassembles lines split anywhere, even inside a UTF-8 character", () => {
    const bytes = Buffer.from("PUSH é€\r\nINFO\n");
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(feedAll(new LineReader(100), chunks).lines).toEqual(["PUSH é€", "INFO"]);
  });

  it("reports a line over the limit as soon as the limit is passed, without a newline", () => {
    const reader = new LineReader(10);
    const { lines, results } = feedAll(reader, ["OK\n", "x".repeat(8), "x".repeat(8)]);
    expect(lines).toEqual(["OK"]);
    expect(results).toEqual(["ok", "ok", "too-long"]);
    expect(reader.buffered).toBe(0);
  });

  it("accepts a line exactly at the limit (CR not counted) and rejects one byte more", () => {
    expect(feedAll(new LineReader(4), ["ABCD\r\n"]).lines).toEqual(["ABCD"]);
    expect(feedAll(new LineReader(4), ["ABCDE\n"]).results).toEqual(["too-long"]);
  });
});
