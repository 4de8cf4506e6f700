import fc from "fast-check";
import { runs } from "../../support/fuzz.js";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../../src/protocol/errors.js";
import { type Reply, RespReader, type RespReaderOptions } from "../../../src/protocol/resp-reader.js";
import {
  encodeBulk,
  encodeError,
  encodeInteger,
  encodeSimple,
  NULL_BYTES,
} from "../../../src/protocol/resp-writer.js";
import { isPlaceholderRecv, isSendStep, listTranscripts, loadTranscript } from "../../support/transcripts.js";

/** Feeds each chunk in turn and returns every reply decoded. */
function decode(chunks: readonly Uint8Array[], options?: RespReaderOptions): Reply[] {
  const out: Reply[] = [];
  const reader = new RespReader((r) => out.push(r), options);
  for (const c of chunks) reader.push(c);
  expect(reader.pendingBytes).toBe(0);
  return out;
}

const whole = (bytes: Buffer): Reply[] => decode([bytes]);
const byteByByte = (bytes: Buffer): Reply[] => decode([...bytes].map((b) => Uint8Array.of(b)));
const splitAt = (bytes: Buffer, i: number): Reply[] => decode([bytes.subarray(0, i), bytes.subarray(i)]);

/** What a recorded `recv` means, decoded by hand (not by RespReader). */
function expectedFromRecv(recv: string): Reply {
  if (recv.startsWith("+")) return { kind: "simple", value: recv.slice(1) };
  if (recv.startsWith("-")) {
    const text = recv.slice(1);
    const sp = text.indexOf(" ");
    return sp < 0
      ? { kind: "error", code: text, message: "" }
      : { kind: "error", code: text.slice(0, sp), message: text.slice(sp + 1) };
  }
  if (recv === "$-1") return { kind: "null" };
  const m = /^\$(\d+)\r\n/.exec(recv);
  if (m === null) throw new Error(`unexpected recv ${recv.slice(0, 40)}`);
  const value = recv.slice(m[0].length);
  expect(Buffer.byteLength(value)).toBe(Number(m[1]));
  return { kind: "bulk", value };
}

describe("RespReader: reply shapes", () => {
  it("decodes simple strings, +OK and HI", () => {
    expect(whole(Buffer.from("+OK\r\n"))).toEqual([{ kind: "simple", value: "OK" }]);
    expect(whole(Buffer.from('+HI {"v":2}\r\n'))).toEqual([{ kind: "simple", value: 'HI {"v":2}' }]);
    expect(whole(Buffer.from("+\r\n"))).toEqual([{ kind: "simple", value: "" }]);
    expect(whole(Buffer.from("+OKAY\r\n"))).toEqual([{ kind: "simple", value: "OKAY" }]);
  });

  it("splits an error into code and message", () => {
    expect(whole(Buffer.from("-ERR unknown command FOO\r\n"))).toEqual([
      { kind: "error", code: "ERR", message: "unknown command FOO" },
    ]);
    expect(whole(Buffer.from("-NOTUNIQUE Job not unique\r\n"))).toEqual([
      { kind: "error", code: "NOTUNIQUE", message: "Job not unique" },
    ]);
    expect(whole(Buffer.from("-ERR\r\n"))).toEqual([{ kind: "error", code: "ERR", message: "" }]);
  });

  it("decodes integers", () => {
    expect(whole(Buffer.from(":123\r\n:0\r\n:-42\r\n"))).toEqual([
      { kind: "integer", value: 123 },
      { kind: "integer", value: 0 },
      { kind: "integer", value: -42 },
    ]);
  });

  it("decodes bulk strings by byte length, with multi-byte UTF-8", () => {
    const text = "héllo ✓ 日本";
    expect(Buffer.byteLength(text)).toBe(17);
    const bytes = Buffer.from(`$17\r\n${text}\r\n`);
    expect(whole(bytes)).toEqual([{ kind: "bulk", value: text }]);
    expect(byteByByte(bytes)).toEqual([{ kind: "bulk", value: text }]);
    for (let i = 1; i < bytes.length; i++) expect(splitAt(bytes, i)).toEqual([{ kind: "bulk", value: text }]);
  });

  it("decodes a bulk string holding CRLF, an empty bulk and null", () => {
    expect(whole(Buffer.from("$4\r\na\r\nb\r\n"))).toEqual([{ kind: "bulk", value: "a\r\nb" }]);
    expect(whole(Buffer.from("$0\r\n\r\n"))).toEqual([{ kind: "bulk", value: "" }]);
    expect(whole(Buffer.from("$-1\r\n"))).toEqual([{ kind: "null" }]);
  });

  it("decodes several replies in one chunk and a bulk followed by another reply", () => {
    expect(
      whole(Buffer.from('+OK\r\n$2\r\n{}\r\n$-1\r\n-ERR x y\r\n:7\r\n$17\r\n{"state":"quiet"}\r\n')),
    ).toEqual([
      { kind: "simple", value: "OK" },
      { kind: "bulk", value: "{}" },
      { kind: "null" },
      { kind: "error", code: "ERR", message: "x y" },
      { kind: "integer", value: 7 },
      { kind: "bulk", value: '{"state":"quiet"}' },
    ]);
  });

  it("accepts plain Uint8Array chunks", () => {
    expect(decode([new TextEncoder().encode("+OK\r\n")])).toEqual([{ kind: "simple", value: "OK" }]);
  });

  it("keeps a partial reply pending", () => {
    const out: Reply[] = [];
    const reader = new RespReader((r) => out.push(r));
    reader.push(Buffer.from("+OK\r\n$5\r\nab"));
    expect(out).toHaveLength(1);
    expect(reader.pendingBytes).toBe(6);
    reader.push(Buffer.alloc(0));
    reader.push(Buffer.from("cde\r"));
    expect(out).toHaveLength(1);
    reader.push(Buffer.from("\n"));
    expect(out).toEqual([
      { kind: "simple", value: "OK" },
      { kind: "bulk", value: "abcde" },
    ]);
    expect(reader.pendingBytes).toBe(0);
  });
});

describe("RespReader: every recorded reply of every transcript", () => {
  const files = listTranscripts().map((name) => {
    const replies = loadTranscript(name)
      .steps.flatMap((s) => ("recv" in s ? [s.recv] : []))
      .filter((recv) => !isPlaceholderRecv(recv));
    return { name, replies };
  });

  it("covers the fixtures", () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    const all = files.flatMap((f) => f.replies);
    expect(all.some((r) => r.startsWith("$-1"))).toBe(true);
    expect(all.some((r) => r.startsWith("-ERR"))).toBe(true);
    expect(all.some((r) => r.startsWith("$6"))).toBe(true);
  });

  it.each(files)("$name: whole, byte by byte, split everywhere, and concatenated", ({ replies }) => {
    const expectedAll: Reply[] = [];
    for (const recv of replies) {
      const bytes = Buffer.from(`${recv}\r\n`);
      const expected = [expectedFromRecv(recv)];
      expectedAll.push(...expected);
      expect(whole(bytes)).toEqual(expected);
      expect(byteByByte(bytes)).toEqual(expected);
      for (let i = 1; i < bytes.length; i++) expect(splitAt(bytes, i)).toEqual(expected);
    }
    const concatenated = Buffer.from(replies.map((r) => `${r}\r\n`).join(""));
    expect(whole(concatenated)).toEqual(expectedAll);
    expect(byteByByte(concatenated)).toEqual(expectedAll);
  });

  it("sends only bulk JSON replies that parse", () => {
    for (const name of listTranscripts())
      for (const step of loadTranscript(name).steps)
        if (isSendStep(step) && step.recv.startsWith("$") && step.recv !== "$-1") {
          const [reply] = whole(Buffer.from(`${step.recv}\r\n`));
          expect(reply?.kind).toBe("bulk");
          if (reply?.kind === "bulk") expect(() => JSON.parse(reply.value)).not.toThrow();
        }
  });
});

describe("RespReader: properties", () => {
  const line = fc.string({ unit: "grapheme", maxLength: 30 }).filter((s) => !/[\r\n]/.test(s));
  const reply: fc.Arbitrary<Reply> = fc.oneof(
    line.map((value): Reply => ({ kind: "simple", value })),
    fc
      .tuple(fc.stringMatching(/^[A-Z]{1,10}$/), line)
      .map(([code, message]): Reply => ({ kind: "error", code, message })),
    fc
      .integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })
      .map((value): Reply => ({ kind: "integer", value })),
    fc.string({ unit: "grapheme", maxLength: 60 }).map((value): Reply => ({ kind: "bulk", value })),
    fc.constant<Reply>({ kind: "null" }),
  );
  const encode = (r: Reply): string => {
    switch (r.kind) {
      case "simple":
        return encodeSimple(r.value);
      case "error":
        return encodeError(r.code, r.message);
      case "integer":
        return encodeInteger(r.value);
      case "bulk":
        return encodeBulk(r.value);
      case "null":
        return NULL_BYTES.toString();
    }
  };

  it("random replies, encoded and cut at random points, decode to the same sequence", () => {
    fc.assert(
      fc.property(
        fc.array(reply, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (replies, cuts) => {
          const bytes = Buffer.from(replies.map(encode).join(""));
          const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
            (a, b) => a - b,
          );
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(prev, p));
            prev = p;
          }
          expect(decode(chunks)).toEqual(replies);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it("any single cut of a random sequence gives the same result as the whole", () => {
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 8 }), fc.nat(), (replies, cut) => {
        const bytes = Buffer.from(replies.map(encode).join(""));
        expect(splitAt(bytes, cut % bytes.length)).toEqual(whole(bytes));
      }),
    );
  });
});

describe("RespReader: malformed input", () => {
  const bad = (input: string, options?: RespReaderOptions) => () =>
    new RespReader(() => {}, options).push(Buffer.from(input));

  it("throws ProtocolError on a bad type byte", () => {
    expect(bad("?what\r\n")).toThrow(ProtocolError);
    expect(bad("OK\r\n")).toThrow(ProtocolError);
    expect(bad("*1\r\n$1\r\na\r\n")).toThrow(ProtocolError);
    expect(bad("\r\n")).toThrow(ProtocolError);
  });

  it("throws ProtocolError on a bad bulk length", () => {
    for (const input of ["$abc\r\n", "$-2\r\n", "$\r\n", "$1x\r\n", "$ 3\r\n", "$1234567890123456\r\n"])
      expect(bad(input), input).toThrow(ProtocolError);
  });

  it("throws ProtocolError on a bad integer", () => {
    expect(bad(":12a\r\n")).toThrow(ProtocolError);
    expect(bad(":\r\n")).toThrow(ProtocolError);
  });

  it("throws ProtocolError when a bulk string is not followed by CRLF", () => {
    expect(bad("$3\r\nabcd\r\n")).toThrow(ProtocolError);
    expect(bad("$3\r\nab\r\n\r\n")).toThrow(/not followed by CRLF/);
  });

  it("throws ProtocolError on a bulk string over the limit, before its body arrives", () => {
    expect(bad("$11\r\n", { maxBulkBytes: 10 })).toThrow(ProtocolError);
    expect(bad("$10\r\n0123456789\r\n", { maxBulkBytes: 10 })).not.toThrow();
    expect(bad("$536870913\r\n")).toThrow(/exceeds the limit/);
  });

  it("throws ProtocolError on a line over the limit with no end", () => {
    expect(bad(`+${"x".repeat(200)}`, { maxLineBytes: 100 })).toThrow(/too long/);
  });

  it("the error is reported when the bad byte arrives in a later chunk", () => {
    const reader = new RespReader(() => {});
    reader.push(Buffer.from("$3\r\nab"));
    expect(() => reader.push(Buffer.from("cXY"))).toThrow(ProtocolError);
  });

  it("is unusable after a protocol error", () => {
    const out: Reply[] = [];
    const reader = new RespReader((r) => out.push(r));
    expect(() => reader.push(Buffer.from("+OK\r\n!\r\n"))).toThrow(ProtocolError);
    expect(out).toEqual([{ kind: "simple", value: "OK" }]);
    expect(() => reader.push(Buffer.from("+OK\r\n"))).toThrow(ProtocolError);
    expect(reader.pendingBytes).toBe(0);
  });
});

describe("RespReader: large bulk strings", () => {
  it("decodes a 5 MB bulk delivered in 64 KiB chunks exactly once", () => {
    const body = Buffer.alloc(5 * 1024 * 1024, "é"); // 2-byte characters, cut anywhere by the chunks
    const bytes = Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from("\r\n+OK\r\n")]);
    const out: Reply[] = [];
    const reader = new RespReader((r) => out.push(r));
    const CHUNK = 64 * 1024;
    for (let i = 0; i < bytes.length; i += CHUNK) reader.push(bytes.subarray(i, i + CHUNK));
    expect(out).toHaveLength(2);
    const first = out[0]!;
    expect(first.kind).toBe("bulk");
    if (first.kind === "bulk") {
      expect(first.value.length).toBe(body.length / 2);
      expect(first.value === body.toString("utf8")).toBe(true);
    }
    expect(out[1]).toEqual({ kind: "simple", value: "OK" });
    expect(reader.pendingBytes).toBe(0);
  });
});
