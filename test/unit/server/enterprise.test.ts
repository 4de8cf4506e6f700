/**
 * Enterprise features of the embedded server on a fake clock: BATCH, TRACK, unique locks and
 * expiring jobs, with the reference's replies; and the open-source replies when it is off.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatTimestamp } from "../../../src/protocol/index.js";
import { MemoryStorage } from "../../../src/server/index.js";
import { type Harness, harness, pushLine } from "./support/harness.js";
import { bulkJson } from "./support/raw-client.js";

let h: Harness;
beforeEach(async () => {
  h = await harness({ enterprise: true });
});
afterEach(async () => {
  await h.close();
});

interface Status {
  bid: string;
  parent_bid?: string;
  description?: string;
  created_at: string;
  complete_st: string;
  success_st: string;
  total: number;
  pending: number;
  failed: number;
}

function bulkText(reply: string): string {
  expect(reply).toMatch(/^\$\d+\r\n/);
  return reply.slice(reply.indexOf("\r\n") + 2);
}

async function newBatch(body: Record<string, unknown>): Promise<string> {
  return bulkText(await h.p.call(`BATCH NEW ${JSON.stringify(body)}`));
}

async function status(bid: string): Promise<Status> {
  return bulkJson(await h.p.call(`BATCH STATUS ${bid}`)) as Status;
}

async function fetchJob(
  queue = "default",
): Promise<{ jid: string; jobtype: string; custom?: Record<string, unknown> }> {
  return bulkJson(await h.p.call(`FETCH ${queue}`)) as {
    jid: string;
    jobtype: string;
    custom?: Record<string, unknown>;
  };
}

async function ack(jid: string): Promise<void> {
  expect(await h.p.call(`ACK {"jid":"${jid}"}`)).toBe("+OK");
}

async function fail(jid: string): Promise<void> {
  expect(await h.p.call(`FAIL ${JSON.stringify({ jid, errtype: "E", message: "boom" })}`)).toBe("+OK");
}

const callbacks = {
  success: { jobtype: "Done", args: [], queue: "cb" },
  complete: { jobtype: "Ran", args: [], queue: "cb" },
};

describe("mode", () => {
  it("says Faktory Enterprise in INFO", async () => {
    const info = bulkJson(await h.p.call("INFO")) as { server: { description: string } };
    expect(info.server.description).toBe("Faktory Enterprise");
  });

  it("answers like open-source Faktory when off", async () => {
    const oss = await harness();
    try {
      expect(await oss.p.call("BATCH NEW {}")).toBe(
        "-ERR batch subsystem is only available in Faktory Enterprise",
      );
      expect(await oss.p.call("TRACK GET abc")).toBe(
        "-ERR tracking subsystem is only available in Faktory Enterprise",
      );
      const job = { custom: { unique_for: 60, bid: "b-nope" } };
      expect(await oss.p.call(pushLine("oss-00001", job))).toBe("+OK");
      expect(await oss.p.call(pushLine("oss-00002", job))).toBe("+OK");
      const info = bulkJson(await oss.p.call("INFO")) as { server: { description: string } };
      expect(info.server.description).toBe("Faktory");
    } finally {
      await oss.close();
    }
  });
});

describe("BATCH", () => {
  it("NEW returns a b- bid; STATUS shows the reference fields in order, parent_bid absent", async () => {
    const bid = await newBatch({ bid: "", description: "Image resizing", ...callbacks });
    expect(bid).toMatch(/^b-[A-Za-z0-9_-]{14}$/);
    const reply = bulkText(await h.p.call(`BATCH STATUS ${bid}`));
    expect(Object.keys(JSON.parse(reply))).toEqual([
      "bid",
      "description",
      "created_at",
      "complete_st",
      "success_st",
      "total",
      "pending",
      "failed",
    ]);
    expect(JSON.parse(reply)).toMatchObject({ bid, created_at: formatTimestamp(h.clock.now()), total: 0 });
  });

  it("sub-commands are case-insensitive; errors for bad input and unknown bids", async () => {
    expect(bulkText(await h.p.call(`BATCH new ${JSON.stringify({ success: callbacks.success })}`))).toMatch(
      /^b-/,
    );
    expect(await h.p.call("BATCH NEW {}")).toMatch(/^-ERR .*callback/);
    expect(await h.p.call("BATCH NEW {nope")).toMatch(/^-ERR invalid JSON/);
    expect(await h.p.call('BATCH NEW {"success":{"args":[]}}')).toMatch(/^-ERR .*jobtype/);
    for (const sub of ["OPEN", "COMMIT", "STATUS"])
      expect(await h.p.call(`BATCH ${sub} b-unknown`)).toBe("-ERR no such batch b-unknown");
    expect(await h.p.call(pushLine("orphan-01", { custom: { bid: "b-unknown" } }))).toBe(
      "-ERR no such batch b-unknown",
    );
    expect(await h.p.call("BATCH FROB x")).toMatch(/^-ERR unknown BATCH subcommand/);
  });

  it("success life cycle: complete first, then success after complete's ACK; callbacks carry _bid only", async () => {
    const bid = await newBatch(callbacks);
    for (const jid of ["member-01", "member-02"])
      expect(await h.p.call(pushLine(jid, { custom: { bid } }))).toBe("+OK");
    let s = await status(bid);
    expect([s.total, s.pending, s.failed]).toEqual([2, 2, 0]);
    const first = await fetchJob();
    expect(first.custom?.bid).toBe(bid);
    await ack(first.jid);
    await ack((await fetchJob()).jid);
    s = await status(bid);
    expect([s.pending, s.complete_st, s.success_st]).toEqual([0, "", ""]); // not committed
    expect(await h.p.call(`BATCH COMMIT ${bid}`)).toBe("+OK");
    s = await status(bid);
    expect([s.complete_st, s.success_st]).toEqual(["1", ""]);
    const complete = await fetchJob("cb");
    expect(complete.jobtype).toBe("Ran");
    expect(complete.custom).toEqual({ _bid: bid });
    await ack(complete.jid);
    s = await status(bid);
    expect([s.complete_st, s.success_st]).toEqual(["2", "1"]);
    const success = await fetchJob("cb");
    expect(success.jobtype).toBe("Done");
    await ack(success.jid);
    expect((await status(bid)).success_st).toBe("2");
  });

  it("failure then retry then success: complete fires at pending == failed, success after the retry's ACK", async () => {
    const bid = await newBatch(callbacks);
    await h.p.call(pushLine("flaky-001", { custom: { bid } }));
    await h.p.call(`BATCH COMMIT ${bid}`);
    await fail((await fetchJob()).jid);
    let s = await status(bid);
    expect([s.pending, s.failed, s.complete_st, s.success_st]).toEqual([1, 1, "1", ""]);
    await ack((await fetchJob("cb")).jid);
    h.clock.advance(60_000); // the retry comes back
    const retry = await fetchJob();
    expect(retry.jid).toBe("flaky-001");
    await fail(retry.jid); // a second failure is not counted again
    expect((await status(bid)).failed).toBe(1);
    h.clock.advance(600_000);
    await ack((await fetchJob()).jid);
    s = await status(bid);
    expect([s.pending, s.failed, s.complete_st, s.success_st]).toEqual([0, 0, "2", "1"]);
  });

  it("empty batch: COMMIT fires complete at once; a FAILed callback stays 1", async () => {
    const bid = await newBatch(callbacks);
    await h.p.call(`BATCH COMMIT ${bid}`);
    expect((await status(bid)).complete_st).toBe("1");
    await ack((await fetchJob("cb")).jid);
    const success = await fetchJob("cb");
    await fail(success.jid);
    const s = await status(bid);
    expect([s.complete_st, s.success_st]).toEqual(["2", "1"]);
  });

  it("OPEN reopens (also after callbacks fired, which never fire again); pushes count", async () => {
    const bid = await newBatch({ complete: callbacks.complete });
    await h.p.call(`BATCH COMMIT ${bid}`);
    expect(bulkText(await h.p.call(`BATCH open ${bid}`))).toBe(bid);
    await h.p.call(pushLine("late-0001", { custom: { bid } }));
    await h.p.call(`BATCH COMMIT ${bid}`);
    const s = await status(bid);
    expect([s.total, s.pending, s.complete_st]).toEqual([1, 1, "1"]);
    await ack((await fetchJob("cb")).jid);
    await ack((await fetchJob()).jid);
    expect((await h.faktory()).queues.cb ?? 0).toBe(0);
  });

  it("nested: children do not count in the parent; the parent's callback waits for the child's", async () => {
    const parent = await newBatch({ success: { jobtype: "ParentDone", args: [], queue: "cb" } });
    const child = await newBatch({
      parent_bid: parent,
      success: { jobtype: "ChildDone", args: [], queue: "cb" },
    });
    await h.p.call(pushLine("parent-01", { custom: { bid: parent } }));
    await h.p.call(pushLine("child-001", { custom: { bid: child } }));
    await h.p.call(`BATCH COMMIT ${child}`);
    await h.p.call(`BATCH COMMIT ${parent}`);
    expect((await status(parent)).total).toBe(1);
    expect((await status(child)).parent_bid).toBe(parent);
    await ack((await fetchJob()).jid); // parent's member
    expect((await status(parent)).success_st).toBe("");
    await ack((await fetchJob()).jid); // child's member
    const childCb = await fetchJob("cb");
    expect(childCb.jobtype).toBe("ChildDone");
    expect(childCb.custom).toEqual({ _bid: child, _pbid: parent });
    expect((await status(parent)).success_st).toBe("");
    await ack(childCb.jid);
    expect((await status(parent)).success_st).toBe("1");
    expect((await fetchJob("cb")).jobtype).toBe("ParentDone");
  });

  it("BATCH CHILD links an existing batch; cycles are refused", async () => {
    const a = await newBatch({ success: callbacks.success });
    const b = await newBatch({ success: callbacks.success });
    expect(await h.p.call(`BATCH CHILD ${a} ${b}`)).toBe("+OK");
    expect((await status(b)).parent_bid).toBe(a);
    expect(await h.p.call(`BATCH CHILD ${b} ${a}`)).toMatch(/^-ERR/);
  });

  it("an uncommitted batch expires after 30 minutes; a committed one lives 7 days", async () => {
    const open = await newBatch(callbacks);
    const done = await newBatch(callbacks);
    await h.p.call(`BATCH COMMIT ${done}`);
    h.clock.advance(30 * 60_000);
    expect(await h.p.call(`BATCH STATUS ${open}`)).toBe(`-ERR no such batch ${open}`);
    expect((await status(done)).bid).toBe(done);
    h.clock.advance(7 * 86_400_000);
    expect(await h.p.call(`BATCH STATUS ${done}`)).toBe(`-ERR no such batch ${done}`);
  });

  it("PUSHB members count per job", async () => {
    const bid = await newBatch(callbacks);
    const jobs = ["bulk-0001", "bulk-0002"].map((jid) => ({ jid, jobtype: "T", args: [], custom: { bid } }));
    expect(bulkJson(await h.p.call(`PUSHB ${JSON.stringify(jobs)}`))).toEqual({});
    expect((await status(bid)).total).toBe(2);
  });
});

describe("TRACK", () => {
  it("GET of an unknown jid has the reference shape", async () => {
    expect(bulkText(await h.p.call("TRACK GET f7APFzrS2RZi9eaA"))).toBe(
      '{"jid":"f7APFzrS2RZi9eaA","state":"unknown","updated_at":""}',
    );
  });

  it("follows a tracked job: enqueued, working (with SET), success; keeps omitted fields", async () => {
    await h.p.call(pushLine("tracked-1", { custom: { track: 1 } }));
    const get = async () => bulkJson(await h.p.call("TRACK GET tracked-1")) as Record<string, unknown>;
    expect(await get()).toEqual({
      jid: "tracked-1",
      state: "enqueued",
      updated_at: formatTimestamp(h.clock.now()),
    });
    await fetchJob();
    expect((await get()).state).toBe("working");
    expect(await h.w.call('TRACK SET {"jid":"tracked-1","percent":33,"desc":"Still processing..."}')).toBe(
      "+OK",
    );
    expect(await h.w.call('TRACK set {"jid":"tracked-1","percent":50,"desc":null}')).toBe("+OK");
    const reply = bulkText(await h.p.call("TRACK GET tracked-1"));
    expect(Object.keys(JSON.parse(reply))).toEqual(["jid", "desc", "state", "updated_at", "percent"]);
    expect(JSON.parse(reply)).toMatchObject({ desc: "Still processing...", state: "working", percent: 50 });
    await ack("tracked-1");
    expect((await get()).state).toBe("success");
    h.clock.advance(30 * 60_000);
    expect((await get()).state).toBe("unknown");
  });

  it("failed, then dead; untracked jobs stay unknown and SET on them is +OK", async () => {
    await h.p.call(pushLine("tracked-2", { retry: 1, custom: { track: 1 } }));
    await fail((await fetchJob()).jid);
    expect((bulkJson(await h.p.call("TRACK GET tracked-2")) as { state: string }).state).toBe("failed");
    h.clock.advance(120_000);
    await fail((await fetchJob()).jid);
    expect((bulkJson(await h.p.call("TRACK GET tracked-2")) as { state: string }).state).toBe("dead");
    await h.p.call(pushLine("plain-001"));
    expect(await h.p.call('TRACK SET {"jid":"plain-001","percent":5}')).toBe("+OK");
    expect((bulkJson(await h.p.call("TRACK GET plain-001")) as { state: string }).state).toBe("unknown");
  });

  it("rejects a SET without jid, a bad percent or reserve_until", async () => {
    expect(await h.p.call('TRACK SET {"percent":5}')).toMatch(/^-ERR .*JID/);
    expect(await h.p.call('TRACK SET {"jid":"x","percent":500}')).toMatch(/^-ERR percent/);
    expect(await h.p.call('TRACK SET {"jid":"x","reserve_until":"soon"}')).toMatch(/^-ERR reserve_until/);
    expect(await h.p.call("TRACK SET nope")).toMatch(/^-ERR invalid JSON/);
  });

  it("reserve_until lengthens a working job's reservation", async () => {
    await h.p.call(pushLine("long-0001", { reserve_for: 60 }));
    await fetchJob();
    const until = formatTimestamp(h.clock.now() + 300_000);
    expect(await h.w.call(`TRACK SET {"jid":"long-0001","reserve_until":"${until}"}`)).toBe("+OK");
    h.clock.advance(120_000);
    expect((await h.faktory()).sets.working).toBe(1);
    h.clock.advance(180_000);
    expect((await h.faktory()).sets.working).toBe(0);
  });
});

describe("unique jobs", () => {
  const unique = (extra: Record<string, unknown> = {}) => ({ custom: { unique_for: 60, ...extra } });

  it("a duplicate is refused with NOTUNIQUE until the original is ACKed (unique_until success)", async () => {
    expect(await h.p.call(pushLine("uniq-0001", unique()))).toBe("+OK");
    expect(await h.p.call(pushLine("uniq-0002", unique()))).toBe("-NOTUNIQUE Job not unique");
    expect(await h.p.call(pushLine("uniq-0003", { ...unique(), queue: "other" }))).toBe("+OK");
    expect(await h.p.call(pushLine("uniq-0004", { ...unique(), args: [2] }))).toBe("+OK");
    expect(await h.p.call(pushLine("plain-002"))).toBe("+OK"); // no unique_for: no check
    const job = await fetchJob();
    await fail(job.jid); // a FAIL keeps the lock
    expect(await h.p.call(pushLine("uniq-0005", unique()))).toBe("-NOTUNIQUE Job not unique");
    h.clock.advance(59_000);
    for (let job = await fetchJob(); ; job = await fetchJob()) {
      await ack(job.jid);
      if (job.jid === "uniq-0001") break; // the retry
    }
    expect(await h.p.call(pushLine("uniq-0006", unique()))).toBe("+OK");
  });

  it("unique_until start drops the lock at FETCH", async () => {
    await h.p.call(pushLine("start-001", unique({ unique_until: "start" })));
    expect(await h.p.call(pushLine("start-002", unique({ unique_until: "start" })))).toBe(
      "-NOTUNIQUE Job not unique",
    );
    await fetchJob();
    expect(await h.p.call(pushLine("start-003", unique({ unique_until: "start" })))).toBe("+OK");
  });

  it("the lock lapses at its TTL, counted from `at` for a scheduled job", async () => {
    await h.p.call(pushLine("ttl-00001", unique()));
    h.clock.advance(60_000);
    expect(await h.p.call(pushLine("ttl-00002", unique()))).toBe("+OK");
    const at = formatTimestamp(h.clock.now() + 3_600_000);
    await h.p.call(pushLine("sched-001", { ...unique(), args: [9], at }));
    h.clock.advance(3_600_000 + 59_000);
    expect(await h.p.call(pushLine("sched-002", { ...unique(), args: [9] }))).toBe(
      "-NOTUNIQUE Job not unique",
    );
  });

  it("PUSHB reports duplicates per job and enqueues the rest", async () => {
    const jobs = ["pb-000001", "pb-000002"].map((jid) => ({ jid, jobtype: "T", args: [1], ...unique() }));
    jobs.push({ jid: "pb-000003", jobtype: "T", args: [3], ...unique() });
    expect(bulkJson(await h.p.call(`PUSHB ${JSON.stringify(jobs)}`))).toEqual({
      "pb-000002": "NOTUNIQUE Job not unique",
    });
    expect((await h.faktory()).queues.default).toBe(2);
  });
});

describe("expiring jobs", () => {
  it("a job fetched after expires_at is dropped; FETCH gives the next live job", async () => {
    const soon = formatTimestamp(h.clock.now() + 3000);
    await h.p.call(pushLine("exp-00001", { custom: { expires_at: soon } }));
    await h.p.call(pushLine("exp-00002", { custom: { expires_at: soon } }));
    await h.p.call(pushLine("live-0001"));
    expect((await fetchJob()).jid).toBe("exp-00001"); // before its time
    h.clock.advance(3000);
    expect((await fetchJob()).jid).toBe("live-0001");
    expect((await h.faktory()).queues.default).toBe(0);
  });

  it("expires_in becomes expires_at at push", async () => {
    await h.p.call(pushLine("expin-001", { custom: { expires_in: 60 } }));
    const job = await fetchJob();
    expect(job.custom).toEqual({ expires_at: formatTimestamp(h.clock.now() + 60_000) });
  });

  it("an expired batch member counts as failed, so the batch completes", async () => {
    const bid = await newBatch(callbacks);
    await h.p.call(pushLine("exp-bat01", { custom: { bid, expires_in: 1 } }));
    await h.p.call(`BATCH COMMIT ${bid}`);
    h.clock.advance(1000);
    await h.p.call(pushLine("live-0002"));
    expect((await fetchJob()).jid).toBe("live-0002");
    const s = await status(bid);
    expect([s.pending, s.failed, s.complete_st, s.success_st]).toEqual([1, 1, "1", ""]);
  });
});

describe("storage", () => {
  it("keeps batches, locks and progress in the Storage records, across a server restart", async () => {
    const storage = new MemoryStorage();
    const first = await harness({ enterprise: true, storage });
    const bid = bulkText(await first.p.call(`BATCH NEW ${JSON.stringify(callbacks)}`));
    await first.p.call(pushLine("kept-0001", { custom: { bid, unique_for: 600, track: 1 } }));
    await first.close();
    const second = await harness({ enterprise: true, storage });
    try {
      expect((bulkJson(await second.p.call(`BATCH STATUS ${bid}`)) as Status).total).toBe(1);
      expect(await second.p.call(pushLine("kept-0002", { custom: { unique_for: 600 } }))).toBe(
        "-NOTUNIQUE Job not unique",
      );
      expect((bulkJson(await second.p.call("TRACK GET kept-0001")) as { state: string }).state).toBe(
        "enqueued",
      );
      expect(storage.records("batches").size()).toBe(1);
    } finally {
      await second.close();
    }
  });
});
