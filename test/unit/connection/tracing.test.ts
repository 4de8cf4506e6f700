/** The tracing helpers cost nothing without subscribers: no context is built, nothing is wrapped. */
import diagnostics from "node:diagnostics_channel";
import { afterEach, describe, expect, it } from "vitest";
import {
  TRACING_CHANNELS,
  traceFetch,
  traceJob,
  tracePush,
  traceResult,
  tracingChannels,
} from "../../../src/connection/tracing.js";
import type { Job } from "../../../src/protocol/job.js";
import type { Reply } from "../../../src/protocol/resp-reader.js";

/** A job that counts how often its fields are read (building a context reads them). */
function countingJob(): { job: Job<readonly unknown[]>; reads: () => number } {
  let reads = 0;
  const job = {
    get jid() {
      reads++;
      return "jid-12345678";
    },
    get jobtype() {
      reads++;
      return "Hello";
    },
    get queue() {
      reads++;
      return "q";
    },
    args: [],
  } as unknown as Job<readonly unknown[]>;
  return { job, reads: () => reads };
}

const OK: Reply = { kind: "simple", value: "OK" };

describe("tracing helpers", () => {
  const offs: (() => void)[] = [];
  afterEach(() => {
    for (const off of offs.splice(0)) off();
  });

  it("names the channels faktory-ts:*", () => {
    expect(Object.values(TRACING_CHANNELS)).toEqual([
      "faktory-ts:push",
      "faktory-ts:push-bulk",
      "faktory-ts:fetch",
      "faktory-ts:job",
      "faktory-ts:ack",
      "faktory-ts:fail",
    ]);
  });

  it("without subscribers, builds no context and returns the very same promise", async () => {
    const { job, reads } = countingJob();
    const sent = Promise.resolve("jid-12345678");
    expect(tracePush(job, () => sent)).toBe(sent);
    const reply = Promise.resolve(OK);
    expect(traceFetch(["q"], reply)).toBe(reply);
    expect(traceResult(job, "ACK {}", reply)).toBe(reply);
    expect(traceResult(job, "FAIL {}", reply)).toBe(reply);
    const outcome = Promise.resolve({ ok: true } as const);
    expect(traceJob(job, 0, () => outcome)).toBe(outcome);
    await Promise.all([sent, reply, outcome]);
    expect(reads()).toBe(0);
  });

  it("with a subscriber to any one of its channels, builds the context and publishes", async () => {
    const { job, reads } = countingJob();
    const seen: unknown[] = [];
    const onError = (message: unknown): void => {
      seen.push(message);
    };
    diagnostics.subscribe(`tracing:${TRACING_CHANNELS.push}:error`, onError);
    offs.push(() => diagnostics.unsubscribe(`tracing:${TRACING_CHANNELS.push}:error`, onError));
    const failure = new Error("refused");
    await expect(tracePush(job, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(reads()).toBeGreaterThan(0);
    expect(seen).toEqual([{ jobtype: "Hello", jid: "jid-12345678", queue: "q", job, error: failure }]);
  });

  it("turns a failed job outcome into the error event and gives the same outcome back", async () => {
    const { job } = countingJob();
    const events: string[] = [];
    const handlers = {
      start: () => events.push("start"),
      end: () => events.push("end"),
      asyncStart: () => events.push("asyncStart"),
      asyncEnd: () => events.push("asyncEnd"),
      error: (ctx: { error?: unknown }) => events.push(`error:${(ctx.error as Error).message}`),
    };
    tracingChannels.job.subscribe(handlers);
    offs.push(() => tracingChannels.job.unsubscribe(handlers));
    const error = new Error("boom");
    const outcome = await traceJob(job, 3, () => Promise.resolve({ ok: false as const, error }));
    expect(outcome).toEqual({ ok: false, error });
    expect(events).toEqual(["start", "end", "error:boom", "asyncStart", "asyncEnd"]);
  });

  it("fills a fetch context with the job that came, or null", async () => {
    const contexts: unknown[] = [];
    const noop = (): void => {};
    const handlers = {
      start: noop,
      end: noop,
      asyncStart: noop,
      error: noop,
      asyncEnd: (ctx: object) => contexts.push({ ...ctx }),
    };
    tracingChannels.fetch.subscribe(handlers);
    offs.push(() => tracingChannels.fetch.unsubscribe(handlers));
    const job = { jid: "jid-abcdefgh", jobtype: "Hi", args: [], queue: "mail" };
    const jobReply: Reply = { kind: "bulk", value: JSON.stringify(job) };
    expect(await traceFetch(["mail"], Promise.resolve(jobReply))).toBe(jobReply);
    const none: Reply = { kind: "null" };
    expect(await traceFetch(["mail"], Promise.resolve(none))).toBe(none);
    expect(contexts).toEqual([
      { queues: ["mail"], jobtype: "Hi", jid: "jid-abcdefgh", queue: "mail", result: job },
      { queues: ["mail"], result: null },
    ]);
  });
});
