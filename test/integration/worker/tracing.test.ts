/**
 * diagnostics_channel tracing end to end: a push, a bulk push, and a worker running one job that
 * succeeds and one that fails publish start/end/asyncStart/asyncEnd (and error) events with the
 * job's type, jid and queue.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { type TRACING_CHANNELS, tracingChannels } from "../../../src/connection/tracing.js";
import { Worker } from "../../../src/worker/index.js";
import { uniqueQueue } from "../../support/server.js";
import { useServerWithClient } from "./helpers.js";

type ChannelKey = keyof typeof TRACING_CHANNELS;
type EventName = "start" | "end" | "asyncStart" | "asyncEnd" | "error";
interface Seen {
  channel: ChannelKey;
  event: EventName;
  ctx: Record<string, unknown>;
}

describe("tracing channels", () => {
  const env = useServerWithClient();
  const offs: (() => void)[] = [];
  afterEach(() => {
    for (const off of offs.splice(0)) off();
  });

  /** Records every event of every channel (a copy of the context at that moment). */
  function record(): { seen: Seen[]; waitFor: (pred: (s: Seen) => boolean) => Promise<void> } {
    const seen: Seen[] = [];
    const waiters: { pred: (s: Seen) => boolean; resolve: () => void }[] = [];
    for (const channel of Object.keys(tracingChannels) as ChannelKey[]) {
      const on =
        (event: EventName) =>
        (ctx: object): void => {
          const s = { channel, event, ctx: { ...ctx } as Record<string, unknown> };
          seen.push(s);
          for (const w of waiters.filter((x) => x.pred(s))) w.resolve();
        };
      const handlers = {
        start: on("start"),
        end: on("end"),
        asyncStart: on("asyncStart"),
        asyncEnd: on("asyncEnd"),
        error: on("error"),
      };
      tracingChannels[channel].subscribe(handlers);
      offs.push(() => tracingChannels[channel].unsubscribe(handlers));
    }
    const waitFor = (pred: (s: Seen) => boolean): Promise<void> =>
      seen.some(pred) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pred, resolve }));
    return { seen, waitFor };
  }

  const eventsOf = (seen: Seen[], channel: ChannelKey, jid: string): EventName[] =>
    seen.filter((s) => s.channel === channel && s.ctx["jid"] === jid).map((s) => s.event);

  it("traces push, bulk push, fetch, job run, ACK and FAIL", async () => {
    const queue = uniqueQueue("trace");
    const { seen, waitFor } = record();

    const okJid = await env.client.push("Ok", [1], { queue });
    const bulk = await env.client.pushBulk([{ jobtype: "Bad", args: [], queue }]);
    const badJid = bulk.pushed[0]!;
    expect(bulk.rejected).toEqual([]);

    const storage = new AsyncLocalStorage<string>();
    tracingChannels.job.start.bindStore(storage, (ctx) => ctx.jid);
    offs.push(() => tracingChannels.job.start.unbindStore(storage));
    const storeInHandler: (string | undefined)[] = [];
    const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 1 });
    worker.register("Ok", async () => {
      await Promise.resolve();
      storeInHandler.push(storage.getStore());
    });
    worker.register("Bad", () => {
      throw new Error("boom");
    });
    const running = worker.run();
    await waitFor((s) => s.channel === "ack" && s.event === "asyncEnd" && s.ctx["jid"] === okJid);
    await waitFor((s) => s.channel === "fail" && s.event === "asyncEnd" && s.ctx["jid"] === badJid);
    await worker.shutdown();
    await running;

    const settled = ["start", "end", "asyncStart", "asyncEnd"];
    const failed = ["start", "end", "error", "asyncStart", "asyncEnd"];
    // push
    expect(eventsOf(seen, "push", okJid)).toEqual(settled);
    const pushEnd = seen.find((s) => s.channel === "push" && s.event === "asyncEnd")!;
    expect(pushEnd.ctx).toMatchObject({ jobtype: "Ok", jid: okJid, queue, result: okJid });
    // bulk push: one trace for the call, its jobs listed with generated jids
    const bulkEvents = seen.filter((s) => s.channel === "pushBulk");
    expect(bulkEvents.map((s) => s.event)).toEqual(settled);
    expect(bulkEvents[0]!.ctx["jobs"]).toEqual([
      expect.objectContaining({ jobtype: "Bad", jid: badJid, queue }),
    ]);
    expect(bulkEvents[3]!.ctx["result"]).toEqual({ pushed: [badJid], rejected: [], notUnique: [] });
    // fetch: the FETCHes that brought each job
    for (const [jid, jobtype] of [
      [okJid, "Ok"],
      [badJid, "Bad"],
    ] as const) {
      const fetched = seen.find(
        (s) => s.channel === "fetch" && s.event === "asyncEnd" && s.ctx["jid"] === jid,
      );
      expect(fetched?.ctx).toMatchObject({ queues: [queue], jobtype, jid, queue });
    }
    // job run: success, and failure with the handler's error
    expect(eventsOf(seen, "job", okJid)).toEqual(settled);
    expect(eventsOf(seen, "job", badJid)).toEqual(failed);
    const jobError = seen.find((s) => s.channel === "job" && s.event === "error")!;
    expect(jobError.ctx).toMatchObject({ jobtype: "Bad", jid: badJid, queue, slot: 0 });
    expect((jobError.ctx["error"] as Error).message).toBe("boom");
    expect(storeInHandler).toEqual([okJid]); // the handler runs inside the trace's stores
    // results
    expect(eventsOf(seen, "ack", okJid)).toEqual(settled);
    expect(eventsOf(seen, "fail", badJid)).toEqual(settled);
    expect(eventsOf(seen, "ack", badJid)).toEqual([]);
    expect(seen.find((s) => s.channel === "fail" && s.event === "start")!.ctx).toMatchObject({
      jobtype: "Bad",
      jid: badJid,
      queue,
    });
  });

  it("publishes nothing for a push refused locally (nothing was sent)", async () => {
    const { seen } = record();
    await expect(env.client.push({ jobtype: "", args: [], queue: uniqueQueue() })).rejects.toThrow();
    // refused locally before the trace: nothing published, nothing sent
    expect(seen.filter((s) => s.channel === "push")).toEqual([]);
  });
});
