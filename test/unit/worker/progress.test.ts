/** ProgressReporter: never blocks, keeps only the latest unsent report per job, reports failures. */
import { describe, expect, it } from "vitest";
import type { Reply } from "../../../src/protocol/resp-reader.js";
import { silentWorkerLogger } from "../../../src/worker/index.js";
import { ProgressReporter } from "../../../src/worker/progress.js";
import type { WireConnection } from "../../../src/worker/wire.js";

/** A connection whose replies the test releases one by one. */
function fakeConnection(sent: string[], fail = false) {
  const waiting: (() => void)[] = [];
  const conn = {
    state: "ready",
    send(line: string): Promise<Reply> {
      sent.push(line.trim());
      if (fail) return Promise.reject(new Error("server gone"));
      return new Promise((resolve) => waiting.push(() => resolve({ kind: "simple", value: "OK" })));
    },
    end: async () => {},
    destroy: () => {},
  } as unknown as WireConnection;
  return {
    conn,
    release(): void {
      waiting.shift()?.();
    },
    get waiting(): number {
      return waiting.length;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("ProgressReporter", () => {
  it("returns at once while the server is slow and sends only the latest report of a job", async () => {
    const sent: string[] = [];
    const fake = fakeConnection(sent);
    const errors: Error[] = [];
    const reporter = new ProgressReporter(
      async () => fake.conn,
      silentWorkerLogger,
      (e) => errors.push(e),
    );
    reporter.report("job-0001", { percent: 10 });
    await tick();
    expect(fake.waiting).toBe(1); // first report in flight, unanswered
    reporter.report("job-0001", { percent: 20 });
    reporter.report("job-0001", { percent: 30, desc: "later" });
    reporter.report("job-0002", { percent: 5 });
    expect(reporter.backlog).toBe(2);
    fake.release();
    await tick();
    fake.release();
    await tick();
    fake.release();
    const closing = reporter.close();
    await closing;
    expect(sent).toEqual([
      'TRACK SET {"jid":"job-0001","percent":10}',
      'TRACK SET {"jid":"job-0001","percent":30,"desc":"later"}',
      'TRACK SET {"jid":"job-0002","percent":5}',
    ]);
    expect(errors).toEqual([]);
  });

  it("gives a report that cannot be sent to onError, and rejects a bad percent", async () => {
    const sent: string[] = [];
    const fake = fakeConnection(sent, true);
    const errors: Error[] = [];
    const reporter = new ProgressReporter(
      async () => fake.conn,
      silentWorkerLogger,
      (e) => errors.push(e),
    );
    expect(() => reporter.report("job-0003", { percent: 101 })).toThrow(RangeError);
    reporter.report("job-0003", { percent: 50 });
    await reporter.close();
    expect(errors.map((e) => e.message)).toEqual(["server gone"]);
  });
});
