/**
 * A job with a future `at` and an invalid queue name is accepted into the scheduled set (both
 * servers). What happens next follows Faktory 1.10's source (issue #10 §3):
 * - when it comes due (scheduled or retries scanner): it is taken out of the set, logged as
 *   `Unable to process timed job: cannot push job to "<q>" queue: cannot get "<q>" queue: queue
 *   names must match \A[a-zA-Z0-9._-]+\z` and dropped (`manager/scheduler.go`, `RemoveBefore`);
 * - MUTATE requeue stops at it with `-ERR queue names must match \A[a-zA-Z0-9._-]+\z`, leaving it
 *   in the set (`server/mutate.go`: the first error of `Find` ends the command).
 */
import { afterEach, describe, expect, it } from "vitest";
import { formatTimestamp, goQuote, queueNameProblem, timedJobProblem } from "../../../src/protocol/index.js";
import type { Logger } from "../../../src/server/index.js";
import { type Harness, harness, pushLine } from "./support/harness.js";
import { bulkJson } from "./support/raw-client.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function recordingLogger(lines: string[]): Logger {
  const add = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { debug: add("DEBUG"), info: add("INFO"), warn: add("WARN"), error: add("ERROR") };
}

const BAD = "queue names must match \\A[a-zA-Z0-9._-]+\\z";

describe("a scheduled job with an invalid queue name", () => {
  it("MUTATE requeue answers the reference's error and keeps the job; good jobs before it are requeued", async () => {
    h = await harness();
    const now = h.clock.now();
    expect(await h.p.call(pushLine("good-0001", { at: formatTimestamp(now + 10_000) }))).toBe("+OK");
    expect(
      await h.p.call(pushLine("badq-0001", { at: formatTimestamp(now + 20_000), queue: "bad queue" })),
    ).toBe("+OK");
    expect(await h.p.call(pushLine("good-0002", { at: formatTimestamp(now + 30_000) }))).toBe("+OK");
    expect(await h.p.call('MUTATE {"cmd":"requeue","target":"scheduled"}')).toBe(`-ERR ${BAD}`);
    const f = await h.faktory();
    expect(f.queues).toEqual({ default: 1 });
    expect(f.sets.scheduled).toBe(2);
    expect((bulkJson(await h.p.call("FETCH default")) as { jid: string }).jid).toBe("good-0001");
    // Only the bad job selected: same error, nothing moves.
    expect(
      await h.p.call('MUTATE {"cmd":"requeue","target":"scheduled","filter":{"jids":["badq-0001"]}}'),
    ).toBe(`-ERR ${BAD}`);
    expect((await h.faktory()).sets.scheduled).toBe(2);
    // Kill and requeue from the dead set: the same error.
    expect(await h.p.call('MUTATE {"cmd":"kill","target":"scheduled","filter":{"jids":["badq-0001"]}}')).toBe(
      "+OK",
    );
    expect(await h.p.call('MUTATE {"cmd":"requeue","target":"dead"}')).toBe(`-ERR ${BAD}`);
    expect((await h.faktory()).sets.dead).toBe(1);
  });

  it("is dropped when due, with the reference's warning, and not counted as enqueued", async () => {
    const lines: string[] = [];
    h = await harness({ logger: recordingLogger(lines) });
    const at = formatTimestamp(h.clock.now() + 1000);
    expect(await h.p.call(pushLine("badq-0002", { at, queue: "bad queue" }))).toBe("+OK");
    expect(await h.p.call(pushLine("good-0003", { at }))).toBe("+OK");
    h.clock.advance(1000);
    const info = bulkJson(await h.p.call("INFO")) as {
      faktory: {
        queues: Record<string, number>;
        sets: { scheduled: number };
        tasks: { Scheduled: { enqueued: number } };
      };
    };
    expect(info.faktory.sets.scheduled).toBe(0);
    expect(info.faktory.queues).toEqual({ default: 1 });
    expect(info.faktory.tasks.Scheduled.enqueued).toBe(1);
    expect(lines).toContain(
      `WARN Unable to process timed job: cannot push job to "bad queue" queue: cannot get "bad queue" queue: ${BAD}`,
    );
  });
});

describe("Go-quoted queue names in error texts", () => {
  it("quotes as strconv.Quote does", () => {
    expect(goQuote("bad queue")).toBe('"bad queue"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote("\x07\b\f\n\r\t\v")).toBe('"\\a\\b\\f\\n\\r\\t\\v"');
    expect(goQuote("\x00\x1f\x7f")).toBe('"\\x00\\x1f\\x7f"');
    expect(goQuote("é ü ✓ 😀")).toBe('"é ü ✓ 😀"');
    expect(goQuote("\u00a0\u2028\ufeff")).toBe('"\\u00a0\\u2028\\ufeff"');
    expect(goQuote("\u{e0001}")).toBe('"\\U000e0001"');
  });

  it("is used by PUSH's and the scheduler's texts", () => {
    expect(queueNameProblem("a\tb")).toBe(`cannot get "a\\tb" queue: ${BAD}`);
    expect(queueNameProblem("")).toBe("queue name cannot be blank");
    expect(timedJobProblem("default")).toBeUndefined();
    expect(timedJobProblem("")).toBe(
      'cannot push job to "" queue: cannot get "" queue: queue name cannot be blank',
    );
  });
});
