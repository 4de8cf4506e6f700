import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../src/protocol/errors.js";
import { queueOrderer } from "../../../src/worker/index.js";

/** A seeded generator (mulberry32) so the distributions are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function firstCounts(next: () => string[], n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const first = next()[0]!;
    counts[first] = (counts[first] ?? 0) + 1;
  }
  return counts;
}

describe("queueOrderer", () => {
  it("strict keeps the order", () => {
    const next = queueOrderer(["a", "b", "c"], "strict");
    expect(next()).toEqual(["a", "b", "c"]);
    expect(next()).toEqual(["a", "b", "c"]);
  });

  it("random puts every queue first about equally often, and keeps every queue", () => {
    const next = queueOrderer(["a", "b", "c", "d"], "random", seeded(1));
    const n = 40_000;
    const counts = firstCounts(next, n);
    for (const q of ["a", "b", "c", "d"]) expect(counts[q]! / n).toBeCloseTo(0.25, 1);
    expect([...next()].sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("weighted puts a queue first in proportion to its weight; missing weights are 1", () => {
    const next = queueOrderer(
      ["critical", "default", "low"],
      { weighted: { critical: 6, default: 3 } },
      seeded(7),
    );
    const n = 50_000;
    const counts = firstCounts(next, n);
    expect(counts["critical"]! / n).toBeCloseTo(0.6, 1);
    expect(counts["default"]! / n).toBeCloseTo(0.3, 1);
    expect(counts["low"]! / n).toBeGreaterThan(0.08); // not starved
    expect(counts["low"]! / n).toBeLessThan(0.12);
    // Second place: given critical first, default (3) beats low (1) 3 times in 4.
    let defaultSecond = 0;
    let criticalFirst = 0;
    for (let i = 0; i < n; i++) {
      const order = next();
      if (order[0] === "critical") {
        criticalFirst++;
        if (order[1] === "default") defaultSecond++;
      }
      if (order.length !== 3) throw new Error(`lost a queue: ${order.join(",")}`);
    }
    expect(defaultSecond / criticalFirst).toBeCloseTo(0.75, 1);
  });

  it("rejects bad weights", () => {
    expect(() => queueOrderer(["a", "b"], { weighted: { a: 0 } })).toThrow(ConfigurationError);
    expect(() => queueOrderer(["a", "b"], { weighted: { b: Number.NaN } })).toThrow(ConfigurationError);
  });
});
