/** The per-day processed/failures counters that the dashboard's history reads. */
import { describe, expect, it } from "vitest";
import { ServerCore } from "../../../src/server/core.js";
import { silentLogger } from "../../../src/server/logger.js";
import { MemoryStorage } from "../../../src/server/storage/memory.js";
import { ManualClock } from "./support/clocks.js";

describe("per-day counters", () => {
  it("count ACKs and FAILs under the UTC day, from the first job on, and roll over at midnight", () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 23, 59, 0));
    const storage = new MemoryStorage();
    const core = new ServerCore({ storage, clock, logger: silentLogger, random: () => 0 });
    const run = (jid: string, ok: boolean) => {
      core.reserve(
        {
          jid,
          payload: JSON.stringify({ jid, jobtype: "T", queue: "q", args: [], retry: 0 }),
          reserveFor: 0,
        },
        "w",
      );
      if (ok) core.ack(jid);
      else core.fail(jid, { errtype: "E", message: "m", backtrace: [] });
    };
    run("a", true);
    run("b", false);
    expect(storage.counter("processed:2026-11-28")).toBe(2);
    expect(storage.counter("failures:2026-11-28")).toBe(1);
    expect(storage.counter("")).toBe(0);
    clock.time = Date.UTC(2026, 10, 29, 0, 0, 1);
    run("c", true);
    expect(storage.counter("processed:2026-11-29")).toBe(1);
    expect(storage.counter("processed:2026-11-28")).toBe(2);
    expect(storage.counter("processed")).toBe(3);
    core.stop();
  });
});
