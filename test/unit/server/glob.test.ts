import { describe, expect, it } from "vitest";
import { globMatch } from "../../../src/server/mutate/glob.js";

describe("Redis glob (MUTATE regexp filter)", () => {
  it("matches *, ?, classes, negation, ranges and escapes over the whole text", () => {
    expect(globMatch("*jid-mut-3*", '{"jid":"jid-mut-3"}')).toBe(true);
    expect(globMatch("jid-mut-3", '{"jid":"jid-mut-3"}')).toBe(false);
    expect(globMatch("a?c", "abc")).toBe(true);
    expect(globMatch("a?c", "ac")).toBe(false);
    expect(globMatch("a[b-d]x", "acx")).toBe(true);
    expect(globMatch("a[d-b]x", "acx")).toBe(true);
    expect(globMatch("a[^b]c", "abc")).toBe(false);
    expect(globMatch("a[^b]c", "axc")).toBe(true);
    expect(globMatch("x-y\\*", "x-y*")).toBe(true);
    expect(globMatch("x-y\\*", "x-yz")).toBe(false);
    expect(globMatch("[a-]z", "-z")).toBe(true);
    expect(globMatch("(.+)", "(.+)")).toBe(true);
    expect(globMatch("*", "multi\nline")).toBe(true);
    expect(globMatch("a[bc", "ab")).toBe(true);
  });
});
