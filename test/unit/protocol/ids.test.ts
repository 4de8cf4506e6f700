import { describe, expect, it } from "vitest";
import { generateJid, generateWid } from "../../../src/protocol/ids.js";

describe("generateJid", () => {
  it("makes 16-character URL-safe ids, all different, across pool refills", () => {
    const jids = Array.from({ length: 5000 }, () => generateJid()); // ~20 refills of the 256-jid pool
    for (const jid of jids) expect(jid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(new Set(jids).size).toBe(jids.length);
  });
});

describe("generateWid", () => {
  it("makes 16 lower-case hex characters", () => {
    expect(generateWid()).toMatch(/^[0-9a-f]{16}$/);
    expect(generateWid()).not.toBe(generateWid());
  });
});
