/**
 * Restarts of a server on durable storage: each kind of state survives `close()` and a new
 * server on the same data folder, and a reservation expires on its original schedule.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Harness, harness, pushLine } from "./support/harness.js";
import { bulkJson } from "./support/raw-client.js";

const root = mkdtempSync(join(tmpdir(), "faktory-ts-durable-restart-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

interface Info {
  total_processed: number;
  total_failures: number;
  total_enqueued: number;
  tasks: { Retries: { size: number }; Scheduled: { size: number }; Dead: { size: number }; Workers: unknown };
  queues: Record<string, number>;
}

async function info(h: Harness): Promise<Info> {
  return (bulkJson(await h.p.call("INFO")) as { faktory: Info }).faktory;
}

describe("durable storage across server restarts", () => {
  it("keeps queues, paused queues, sets, reservations, counters and Enterprise records", async () => {
    const path = join(root, `all-${++n}`);
    const first = await harness({ enterprise: true, storage: { path } });
    const { p, w } = first;
    expect(await p.call(pushLine("queued-001", { queue: "keep" }))).toBe("+OK");
    expect(await p.call(pushLine("paused-001", { queue: "held" }))).toBe("+OK");
    expect(await p.call("QUEUE PAUSE held")).toBe("+OK");
    expect(await p.call(pushLine("later-0001", { at: "2030-01-01T00:00:00Z" }))).toBe("+OK");
    expect(await p.call(pushLine("done-00001", { queue: "work" }))).toBe("+OK");
    expect(await p.call(pushLine("retry-0001", { queue: "work", retry: 3 }))).toBe("+OK");
    expect(await p.call(pushLine("dead-00001", { queue: "work", retry: 0 }))).toBe("+OK"); // discarded
    expect(await p.call(pushLine("reserved-1", { queue: "res", reserve_for: 600 }))).toBe("+OK");
    expect(await p.call(pushLine("unique-001", { queue: "u", custom: { unique_for: 600 } }))).toBe("+OK");
    for (const jid of ["done-00001", "retry-0001", "dead-00001"]) {
      expect(await w.call("FETCH work")).toContain(jid);
      expect(
        await w.call(
          jid === "done-00001" ? `ACK {"jid":"${jid}"}` : `FAIL {"jid":"${jid}","errtype":"E","message":"m"}`,
        ),
      ).toBe("+OK");
    }
    expect(await w.call("FETCH res")).toContain("reserved-1");
    const before = await info(first);
    await first.close();

    const second = await harness({ enterprise: true, storage: { path } });
    try {
      const after = await info(second);
      expect(after.total_processed).toBe(before.total_processed);
      expect(after.total_failures).toBe(2);
      expect(after.queues).toEqual(before.queues);
      expect(after.tasks.Retries.size).toBe(1);
      expect(after.tasks.Scheduled.size).toBe(1);
      expect(after.tasks.Dead.size).toBe(before.tasks.Dead.size); // the dead set: see storage-sqlite.test.ts
      expect(after.queues.held).toBe(1); // (paused: see storage-sqlite.test.ts)
      expect(await second.p.call(pushLine("unique-002", { queue: "u", custom: { unique_for: 600 } }))).toBe(
        "-NOTUNIQUE Job not unique",
      );
      expect(await second.w.call("FETCH keep")).toContain("queued-001");
      // the reservation expires on its original schedule, 600 s after the first server's FETCH
      // (as a failure: the job goes to the retry set; the older retry is back in its queue by then)
      second.clock.advance(599_000);
      const early = await info(second);
      expect([early.total_failures, early.tasks.Retries.size, early.queues.work]).toEqual([2, 0, 1]);
      second.clock.advance(2_000);
      const late = await info(second);
      expect([late.total_failures, late.tasks.Retries.size]).toEqual([3, 1]);
    } finally {
      await second.close();
    }
  });
});
