import { describe, expect, it } from "vitest";
import { FAIL_LIMITS } from "../../../src/protocol/messages.js";
import {
  backtraceOf,
  errorMessageOf,
  errorTypeOf,
  failureFromError,
  truncateUtf8,
} from "../../../src/worker/index.js";

describe("failureFromError", () => {
  it("reports name, message and stack frames of an Error", () => {
    const fail = failureFromError("jid-1", new RangeError("too big"));
    expect(fail.jid).toBe("jid-1");
    expect(fail.errtype).toBe("RangeError");
    expect(fail.message).toBe("too big");
    expect(fail.backtrace?.length).toBeGreaterThan(0);
    for (const line of fail.backtrace ?? []) expect(line).toMatch(/^at /);
  });

  it("uses the class name when a subclass does not set name", () => {
    class Oops extends Error {}
    expect(errorTypeOf(new Oops("x"))).toBe("Oops");
    class Named extends Error {
      override name = "CustomName";
    }
    expect(errorTypeOf(new Named("x"))).toBe("CustomName");
  });

  it("appends the cause chain and AggregateError members", () => {
    const root = new TypeError("root");
    const mid = new Error("mid", { cause: root });
    const top = new Error("top", { cause: mid });
    const lines = backtraceOf(top);
    const causes = lines.filter((l) => !l.startsWith("at "));
    expect(causes).toEqual(["Caused by: Error: mid", "Caused by: TypeError: root"]);
    const agg = new AggregateError([new Error("a"), "b"], "many");
    expect(backtraceOf(agg).filter((l) => !l.startsWith("at "))).toEqual([
      "Error 1 of 2: Error: a",
      "Error 2 of 2: NonError: b",
    ]);
  });

  it("survives cyclic causes", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(() => backtraceOf(a)).not.toThrow();
  });

  it("handles values that are not errors", () => {
    expect(failureFromError("j", "text")).toMatchObject({
      errtype: "NonError",
      message: "text",
      backtrace: [],
    });
    expect(failureFromError("j", { a: 1 })).toMatchObject({ errtype: "NonError", message: '{"a":1}' });
    expect(failureFromError("j", undefined)).toMatchObject({
      errtype: "NonError",
      message: "undefined was thrown",
    });
    expect(failureFromError("j", null).message).toBe("null");
    expect(failureFromError("j", 42).message).toBe("42");
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(errorMessageOf(cyclic)).toBe("[object Object]");
    expect(failureFromError("j", { name: "Like", message: "an error-like object" })).toMatchObject({
      errtype: "Like",
      message: "an error-like object",
    });
    expect(failureFromError("j", new Error("")).message).toBe("Error");
  });

  it("respects FAIL_LIMITS in UTF-8 bytes", () => {
    const err = new Error("é".repeat(2000));
    Object.defineProperty(err, "name", { value: "X".repeat(300) });
    const fail = failureFromError("j", err);
    expect(Buffer.byteLength(fail.errtype!)).toBe(FAIL_LIMITS.errtypeBytes);
    expect(Buffer.byteLength(fail.message!)).toBe(FAIL_LIMITS.messageBytes);
    expect(fail.message).toBe("é".repeat(500));
    const deep = (n: number): Error =>
      n === 0 ? new Error("leaf") : new Error(`e${n}`, { cause: deep(n - 1) });
    expect(backtraceOf(deep(20)).length).toBeLessThanOrEqual(FAIL_LIMITS.backtraceLines);
  });

  it("truncateUtf8 never splits a character", () => {
    expect(truncateUtf8("héllo", 2)).toBe("h");
    expect(truncateUtf8("héllo", 3)).toBe("hé");
    expect(truncateUtf8("😀😀", 5)).toBe("😀");
    expect(truncateUtf8("abc", 10)).toBe("abc");
  });
});
