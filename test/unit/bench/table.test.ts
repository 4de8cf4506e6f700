/** The bench table: medians with their range, and ratios taken only within a round. */
import { describe, expect, it } from "vitest";
import { formatEnvironment } from "../../../bench/environment.js";
import { formatTable, type Metric, roundRatios } from "../../../bench/table.js";

const metric = (ts: number[], fw: number[]): Metric => ({
  key: "k",
  label: "Rate (jobs/s)",
  higherIsBetter: true,
  samples: { "faktory-ts": ts, "faktory-worker": fw },
  "faktory-ts": [...ts].sort((a, b) => a - b)[Math.floor(ts.length / 2)]!,
  "faktory-worker": [...fw].sort((a, b) => a - b)[Math.floor(fw.length / 2)]!,
});

describe("bench table", () => {
  it("takes each round's ratio from that round only", () => {
    // the best faktory-ts round over the worst faktory-worker round would be 5×; no round is
    expect(roundRatios(metric([100, 200, 250], [50, 100, 200]))).toEqual([1.25, 2]);
    expect(roundRatios(metric([100, 200], [50]))).toBeUndefined();
  });

  it("shows the median with its [min–max] and the per-round ratio range", () => {
    const table = formatTable([metric([1000, 3000, 2000], [1000, 1000, 2000])]);
    expect(table).toContain("2,000 [1,000–3,000]");
    expect(table).toContain("1,000 [1,000–2,000]");
    expect(table).toContain("2.00× [1.00–3.00]");
  });

  it("says when other processes used the machine", () => {
    const base = {
      cpuModel: "AMD EPYC",
      cpuCount: 2,
      node: "v20",
      nodeFlags: "(none)",
      loadAverageAtStart: 3,
      loadAverageAtEnd: 2,
      benchCpuCores: 1.2,
    };
    expect(formatEnvironment({ ...base, otherCpuCores: 1.6 }).join("\n")).toContain(
      "other processes 1.60 cores (NOT quiet",
    );
    expect(formatEnvironment({ ...base, otherCpuCores: 0.05 }).join("\n")).toContain("(quiet)");
    expect(formatEnvironment({ ...base, otherCpuCores: undefined }).join("\n")).toContain("unknown");
  });
});
