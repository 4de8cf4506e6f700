import { describe, expect, it } from "vitest";
import { performJob } from "../../../src/testing/perform-job.js";
import type { JobHandler } from "../../../src/worker/index.js";

class PaymentDeclined extends Error {}

describe("performJob", () => {
  it("reports an ACK and hands the handler the job and a worker-like context", async () => {
    let seen: unknown;
    const handler: JobHandler<[to: string, n: number]> = (job, ctx) => {
      seen = { args: job.args, jid: ctx.jid, jobtype: ctx.jobtype, queue: ctx.queue, attempt: ctx.attempt };
      ctx.locals.set("k", 1);
    };
    const result = await performJob(handler, ["a@example.com", 2], {
      jobtype: "SendEmail",
      jid: "jid-12345678",
      queue: "mail",
    });
    expect(result.status).toBe("ack");
    expect(seen).toEqual({
      args: ["a@example.com", 2],
      jid: "jid-12345678",
      jobtype: "SendEmail",
      queue: "mail",
      attempt: 1,
    });
    expect(result.context.locals.get("k")).toBe(1);
  });

  it("reports the FAIL a worker would send for a throwing handler", async () => {
    const result = await performJob(
      async () => {
        throw new PaymentDeclined("card expired", { cause: new Error("gateway said no") });
      },
      [],
      { failure: { failed_at: "2026-01-01T00:00:00Z", retry_count: 1, remaining: 3 } },
    );
    expect(result.status).toBe("fail");
    if (result.status !== "fail") return;
    expect(result.error).toBeInstanceOf(PaymentDeclined);
    expect(result.fail.errtype).toBe("PaymentDeclined");
    expect(result.fail.message).toBe("card expired");
    expect(result.fail.backtrace?.join("\n")).toMatch(/gateway said no/);
    expect(result.context.attempt).toBe(3);
  });

  it("abandons a job that runs past abandonAfterMs and aborts its signal", async () => {
    let signal: AbortSignal | undefined;
    const result = await performJob(
      (_job, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      },
      [],
      { abandonAfterMs: 20 },
    );
    expect(result.status).toBe("fail");
    if (result.status !== "fail") return;
    expect(result.fail.errtype).toBe("JobAbandonedError");
    expect(signal?.aborted).toBe(true);
  });

  it("passes the stopping signal through", async () => {
    const stop = new AbortController();
    stop.abort();
    const result = await performJob(
      (_job, ctx) => {
        if (ctx.stopping.aborted) throw new Error("stopping");
      },
      [],
      { stopping: stop.signal },
    );
    expect(result.status === "fail" && result.fail.message).toBe("stopping");
  });
});
