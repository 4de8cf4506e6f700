import { describe, expect, it } from "vitest";
import {
  encodeBulk,
  encodeError,
  encodeInteger,
  encodeSimple,
  NULL_BYTES,
  OK_BYTES,
} from "../../../src/protocol/resp-writer.js";

describe("resp-writer", () => {
  it("constants", () => {
    expect(OK_BYTES.toString()).toBe("+OK\r\n");
    expect(NULL_BYTES.toString()).toBe("$-1\r\n");
  });

  it("simple strings and errors", () => {
    expect(encodeSimple("OK")).toBe("+OK\r\n");
    expect(encodeSimple('HI {"v":2}')).toBe('+HI {"v":2}\r\n');
    expect(encodeError("ERR", "unknown command FOO")).toBe("-ERR unknown command FOO\r\n");
    expect(encodeError("NOTUNIQUE", "Job not unique")).toBe("-NOTUNIQUE Job not unique\r\n");
    expect(encodeError("ERR", "line one\r\nline two\nthree")).toBe("-ERR line one line two three\r\n");
  });

  it("bulk strings count bytes, not characters", () => {
    expect(encodeBulk("{}")).toBe("$2\r\n{}\r\n");
    expect(encodeBulk("")).toBe("$0\r\n\r\n");
    expect(encodeBulk("héllo ✓ 日本")).toBe("$17\r\nhéllo ✓ 日本\r\n");
    expect(encodeBulk("😀")).toBe("$4\r\n😀\r\n");
    expect(encodeBulk('{"state":"quiet"}')).toBe('$17\r\n{"state":"quiet"}\r\n');
    expect(encodeBulk('{"state":"terminate"}')).toBe('$21\r\n{"state":"terminate"}\r\n');
    expect(encodeBulk("{some:jobjson}")).toBe("$14\r\n{some:jobjson}\r\n");
  });

  it("integers", () => {
    expect(encodeInteger(123)).toBe(":123\r\n");
    expect(encodeInteger(-4)).toBe(":-4\r\n");
    expect(encodeInteger(3.9)).toBe(":3\r\n");
  });
});
