/**
 * Job lifecycle on a fake clock: scheduled jobs, retries and backoff, the dead set and its
 * purge, reservation expiry, worker reaping, FETCH wake-up, pausing, MUTATE.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatTimestamp, parseTimestamp } from "../../../src/protocol/index.js";
import { type Harness, harness, pushLine, WORKER_HELLO } from "./support/harness.js";
import { bulkJson, CLOSED, hello } from "./support/raw-client.js";
import { until } from "../../support/until.js";

/** FETCH's block: its timer tells the test that the server is holding a FETCH. */
const FETCH_MS = 2000;

interface FetchedJob {
  jid: string;
  retry: number;
  enqueued_at?: string;
  created_at?: string;
  at?: string;
  failure?: {
    failed_at: string;
    next_at?: string;
    retry_count: number;
    remaining: number;
    errtype?: string;
    message?: string;
    backtrace?: string[];
  };
}

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

/** Fetches on the producer connection (no wid, so never reaped while the clock runs far). */
async function fetchJob(queue = "default"): Promise<FetchedJob> {
  return bulkJson(await h.p.call(`FETCH ${queue}`)) as FetchedJob;
}

describe("scheduled jobs", () => {
  it("wait in the scheduled set and are enqueued exactly when due, with enqueued_at", async () => {
    const at = h.clock.now() + 10_000;
    expect(await h.p.call(pushLine("sched-0001", { at: formatTimestamp(at) }))).toBe("+OK");
    expect((await h.faktory()).sets.scheduled).toBe(1);
    h.clock.advance(9_999);
    expect((await h.faktory()).queues).toEqual({});
    h.clock.advance(1);
    const f = await h.faktory();
    expect(f.sets.scheduled).toBe(0);
    expect(f.queues).toEqual({ default: 1 });
    const job = await fetchJob();
    expect(job.jid).toBe("sched-0001");
    expect(job.enqueued_at).toBe(formatTimestamp(at));
  });

  it("re-arm the timer when an earlier job arrives after a later one", async () => {
    const now = h.clock.now();
    await h.p.call(pushLine("late-0001", { at: formatTimestamp(now + 100_000) }));
    await h.p.call(pushLine("early-001", { at: formatTimestamp(now + 10_000) }));
    h.clock.advance(10_000);
    expect((await h.faktory()).sets.scheduled).toBe(1);
    expect((await fetchJob()).jid).toBe("early-001");
    h.clock.advance(90_000);
    expect((await fetchJob()).jid).toBe("late-0001");
  });

  it("enqueue a past `at` at once", async () => {
    expect(await h.p.call(pushLine("past-0001", { at: "2020-01-01T00:00:00Z" }))).toBe("+OK");
    expect((await fetchJob()).at).toBe("2020-01-01T00:00:00Z");
  });

  it("accept a bad queue name for a future job (checked when due) and drop it then", async () => {
    const at = formatTimestamp(h.clock.now() + 1000);
    expect(await h.p.call(pushLine("badq-0001", { at, queue: "bad queue" }))).toBe("+OK");
    h.clock.advance(1000);
    const f = await h.faktory();
    expect(f.sets.scheduled).toBe(0);
    expect(f.queues).toEqual({});
  });
});

describe("failures, retries and the dead set", () => {
  it("fill the failure hash, back off count^4 + 15 + rand(30)*(count+1) s, and retry when due", async () => {
    await h.p.call(pushLine("fail-0001", { retry: 2 }));
    await fetchJob();
    const failedAt = h.clock.now();
    expect(await h.p.call('FAIL {"jid":"fail-0001","errtype":" E ","message":"","backtrace":["a"]}')).toBe(
      "+OK",
    );
    let f = await h.faktory();
    expect(f.sets.retries).toBe(1);
    expect(f.total_failures).toBe(1);
    expect(f.total_processed).toBe(1);
    // find the due time through MUTATE-free means: advance until it is back
    let waited = 0;
    while ((await h.faktory()).queues.default !== 1) {
      h.clock.advance(1000);
      waited += 1000;
      expect(waited).toBeLessThanOrEqual(44_000);
    }
    expect(waited).toBeGreaterThanOrEqual(15_000);
    const job = await fetchJob();
    expect(job.failure).toMatchObject({
      retry_count: 0,
      remaining: 2,
      errtype: "E",
      message: "unknown",
      backtrace: ["a"],
    });
    expect(job.failure?.failed_at).toBe(formatTimestamp(failedAt));
    const delay = parseTimestamp(job.failure!.next_at!)! - failedAt;
    expect(delay).toBeGreaterThanOrEqual(15_000);
    expect(delay).toBeLessThanOrEqual(44_000);
    expect(delay % 1000).toBe(0);
    expect(job.enqueued_at).toBe(job.failure?.next_at);

    // second failure: count 1 → 16..74 s; failed_at kept, remaining 1
    const second = h.clock.now();
    await h.p.call('FAIL {"jid":"fail-0001","message":"again"}');
    waited = 0;
    while ((await h.faktory()).queues.default !== 1) {
      h.clock.advance(1000);
      waited += 1000;
      expect(waited).toBeLessThanOrEqual(74_000);
    }
    const again = await fetchJob();
    expect(again.failure).toMatchObject({
      retry_count: 1,
      remaining: 1,
      errtype: "unknown",
      message: "again",
    });
    expect(again.failure?.backtrace).toBeUndefined();
    expect(again.failure?.failed_at).toBe(formatTimestamp(failedAt));
    const delay2 = parseTimestamp(again.failure!.next_at!)! - second;
    expect(delay2).toBeGreaterThanOrEqual(16_000);
    expect(delay2).toBeLessThanOrEqual(74_000);

    // third failure: retries used up → dead
    await h.p.call('FAIL {"jid":"fail-0001","message":"last"}');
    f = await h.faktory();
    expect(f.sets).toMatchObject({ retries: 0, dead: 1 });
    expect(f.total_failures).toBe(3);
  });

  it("discard retry 0, send retry -1 straight to dead, and purge the dead after 180 days", async () => {
    await h.p.call(pushLine("zero-0001", { retry: 0 }));
    await fetchJob();
    await h.p.call('FAIL {"jid":"zero-0001"}');
    expect((await h.faktory()).sets).toMatchObject({ retries: 0, dead: 0, working: 0 });
    await h.p.call(pushLine("neg-00001", { retry: -1 }));
    await fetchJob();
    await h.p.call('FAIL {"jid":"neg-00001"}');
    expect((await h.faktory()).sets.dead).toBe(1);
    h.clock.advance(180 * 24 * 3600 * 1000 - 1);
    // a worker silent for that long is reaped: reconnect the producer to keep asking
    expect((await h.faktory()).sets.dead).toBe(1);
    h.clock.advance(1);
    expect((await h.faktory()).sets.dead).toBe(0);
  });

  it("refuse FAIL without jid or for an unreserved job", async () => {
    expect(await h.p.call('FAIL {"jid":""}')).toBe("-ERR missing JID");
    expect(await h.p.call('FAIL {"jid":"nope-0001"}')).toBe("-ERR Job not found nope-0001");
    expect(await h.w.call("FAIL")).toBe("-ERR internal error");
  });

  it("cut errtype to 100 bytes, message to 1000 bytes and the backtrace to 50 lines", async () => {
    await h.p.call(pushLine("long-0001"));
    await fetchJob();
    const backtrace = Array.from({ length: 80 }, (_, i) => `l${i}`);
    await h.p.call(
      `FAIL ${JSON.stringify({ jid: "long-0001", errtype: "e".repeat(300), message: "m".repeat(3000), backtrace })}`,
    );
    await h.p.call('MUTATE {"cmd":"requeue","target":"retries"}');
    const job = await fetchJob();
    expect(job.failure?.errtype).toHaveLength(100);
    expect(job.failure?.message).toHaveLength(1000);
    expect(job.failure?.backtrace).toHaveLength(50);

    // a multi-byte text is cut on a character boundary, never past the byte limit
    await h.p.call(pushLine("long-0002"));
    await fetchJob();
    await h.p.call(`FAIL ${JSON.stringify({ jid: "long-0002", errtype: `a${"é".repeat(60)}` })}`);
    await h.p.call('MUTATE {"cmd":"requeue","target":"retries","filter":{"jids":["long-0002"]}}');
    const wide = await fetchJob();
    expect(wide.failure?.errtype).toBe(`a${"é".repeat(49)}`);
  });
});

describe("reservations", () => {
  it("expire after reserve_for (min 60 s) and take the failure path as ReservationExpired", async () => {
    await h.p.call(pushLine("resv-0001", { reserve_for: 10 }));
    await fetchJob();
    h.clock.advance(59_999);
    expect((await h.faktory()).sets.working).toBe(1);
    h.clock.advance(1);
    const f = await h.faktory();
    expect(f.sets).toMatchObject({ working: 0, retries: 1 });
    expect(f.total_failures).toBe(1);
    await h.p.call('MUTATE {"cmd":"requeue","target":"retries","filter":{"jids":["resv-0001"]}}');
    const job = await fetchJob();
    expect(job.failure).toMatchObject({
      errtype: "ReservationExpired",
      message: "Faktory job reservation expired",
      retry_count: 0,
    });
    expect(await h.p.call('ACK {"jid":"resv-0001"}')).toBe("+OK");
    expect((await h.faktory()).sets.working).toBe(0);
  });

  it("default to 1800 s", async () => {
    await h.p.call(pushLine("resv-0002"));
    await fetchJob();
    h.clock.advance(1_799_999);
    // the worker connection is reaped long before; the reservation stays
    expect((await h.faktory()).sets.working).toBe(1);
    h.clock.advance(1);
    expect((await h.faktory()).sets.working).toBe(0);
  });
});

describe("workers", () => {
  it("are forgotten 60 s after their last BEAT, and their connections closed", async () => {
    h.clock.advance(30_000);
    expect(await h.w.call('BEAT {"wid":"w1"}')).toBe("+OK");
    h.clock.advance(59_999);
    expect(await h.p.call('BEAT {"wid":"w1","rss_kb":1}')).toBe("+OK");
    h.clock.advance(60_000);
    await h.w.closedByServer();
    expect(await h.p.call('BEAT {"wid":"w1"}')).toBe("-ERR unknown worker w1");
  });

  it("are forgotten when their last connection closes", async () => {
    const w2 = await hello(h.server.port, WORKER_HELLO);
    h.w.close();
    await until(() => h.server.info().server.connections === 2);
    expect(await h.p.call('BEAT {"wid":"w1"}')).toBe("+OK");
    w2.close();
    await until(() => h.server.info().server.connections === 1);
    expect(await h.p.call('BEAT {"wid":"w1"}')).toBe("-ERR unknown worker w1");
  });

  it("move only forward through quiet and terminate; quiet workers get no jobs", async () => {
    expect(await h.w.call('BEAT {"wid":"w1","current_state":"quiet"}')).toBe('$17\r\n{"state":"quiet"}');
    expect(await h.w.call('BEAT {"wid":"w1","current_state":"running"}')).toBe('$17\r\n{"state":"quiet"}');
    await h.p.call(pushLine("quiet-001"));
    const reply = h.w.call("FETCH default");
    await h.clock.armed(FETCH_MS);
    h.clock.advance(2000);
    expect(await reply).toBe("$-1");
    expect((await h.faktory()).queues.default).toBe(1);
    expect(h.server.signalWorker("w1", "terminate")).toBe(1);
    expect(await h.w.call('BEAT {"wid":"w1"}')).toBe('$21\r\n{"state":"terminate"}');
    expect(h.server.signalWorker("nope", "quiet")).toBe(0);
    expect(h.server.signalWorker("all", "quiet")).toBe(1);
    expect(await h.w.call('BEAT {"wid":"w1"}')).toBe('$21\r\n{"state":"terminate"}');
  });
});

describe("FETCH", () => {
  it("wakes at once when a job is pushed to a queue it waits on", async () => {
    const reply = h.w.call("FETCH other default");
    await h.clock.armed(FETCH_MS);
    expect(await h.p.call(pushLine("wake-0001"))).toBe("+OK");
    // the clock never moved: the push itself answered the FETCH
    expect((bulkJson(await reply) as FetchedJob).jid).toBe("wake-0001");
    expect(h.clock.pendingWith(FETCH_MS)).toBe(0);
    expect((await h.faktory()).sets.working).toBe(1);
  });

  it("answers $-1 after 2 s, and serves the longest waiting FETCH first", async () => {
    const empty = h.w.call("FETCH default");
    await h.clock.armed(FETCH_MS);
    h.clock.advance(1999);
    expect(h.clock.pendingWith(FETCH_MS)).toBe(1); // still blocked
    h.clock.advance(1);
    expect(await empty).toBe("$-1");
    const w2 = await hello(h.server.port, { ...WORKER_HELLO, wid: "w2" });
    try {
      const first = h.w.call("FETCH default");
      await h.clock.armed(FETCH_MS);
      const second = w2.call("FETCH default");
      await h.clock.armed(FETCH_MS, 2);
      await h.p.call(pushLine("order-001"));
      await h.p.call(pushLine("order-002"));
      expect((bulkJson(await first) as FetchedJob).jid).toBe("order-001");
      expect((bulkJson(await second) as FetchedJob).jid).toBe("order-002");
    } finally {
      w2.close();
    }
  });

  it("skips paused queues, and a RESUME serves a waiting FETCH", async () => {
    await h.p.call(pushLine("paused-01", { queue: "q1" }));
    expect(await h.p.call("QUEUE PAUSE q1 unknown")).toBe("+OK");
    const reply = h.w.call("FETCH q1");
    await h.clock.armed(FETCH_MS);
    expect(await h.p.call("QUEUE resume *")).toBe("+OK");
    expect((bulkJson(await reply) as FetchedJob).jid).toBe("paused-01");
  });

  it("does not hand a push on a queue paused while the FETCH was blocked, but one on another queue", async () => {
    // PAUSE acts on known queues only: make q1 known, and empty
    await h.p.call(pushLine("known-001", { queue: "q1" }));
    expect((bulkJson(await h.p.call("FETCH q1")) as FetchedJob).jid).toBe("known-001");
    expect(await h.p.call('ACK {"jid":"known-001"}')).toBe("+OK");
    const reply = h.w.call("FETCH q1 q2");
    await h.clock.armed(FETCH_MS);
    expect(await h.p.call("QUEUE PAUSE q1")).toBe("+OK");
    expect(await h.p.call(pushLine("paused-02", { queue: "q1" }))).toBe("+OK");
    let f = await h.faktory();
    expect(f.queues.q1).toBe(1);
    expect(f.sets.working).toBe(0);
    expect(h.clock.pendingWith(FETCH_MS)).toBe(1); // still blocked
    expect(await h.p.call(pushLine("open-0001", { queue: "q2" }))).toBe("+OK");
    expect((bulkJson(await reply) as FetchedJob).jid).toBe("open-0001");
    f = await h.faktory();
    expect(f.queues).toEqual({ q1: 1, q2: 0 });
    expect(f.sets.working).toBe(1);

    // blocked again, on the paused queue only: nothing until RESUME, then the waiting job
    const again = h.w.call("FETCH q1");
    await h.clock.armed(FETCH_MS);
    expect(await h.p.call(pushLine("paused-03", { queue: "q1" }))).toBe("+OK");
    expect((await h.faktory()).queues.q1).toBe(2);
    expect(await h.p.call("QUEUE RESUME q1")).toBe("+OK");
    expect((bulkJson(await again) as FetchedJob).jid).toBe("paused-02");
  });

  it("holds pipelined commands until it answers, keeping replies in order", async () => {
    h.w.write("FETCH default\r\nINFO\r\n");
    await h.clock.armed(FETCH_MS);
    h.clock.advance(2000);
    expect(await h.w.reply()).toBe("$-1");
    expect(await h.w.reply()).toMatch(/^\$\d+\r\n\{"now"/);
  });
});

describe("MUTATE", () => {
  async function schedule(jid: string, jobtype: string, extra: Record<string, unknown> = {}): Promise<void> {
    const at = formatTimestamp(h.clock.now() + 3600_000);
    expect(await h.p.call(`PUSH ${JSON.stringify({ jid, jobtype, args: [jid], at, ...extra })}`)).toBe("+OK");
  }

  it("filters by jobtype, by glob + jobtype, and by jids (ignoring the rest)", async () => {
    await schedule("mut-a-001", "A");
    await schedule("mut-b-001", "B", { custom: { tenant: "acme" } });
    await schedule("mut-a-002", "A", { custom: { tenant: "acme" } });
    expect(
      await h.p.call('MUTATE {"cmd":"kill","target":"scheduled","filter":{"regexp":"*acme*","jobtype":"A"}}'),
    ).toBe("+OK");
    expect((await h.faktory()).sets).toMatchObject({ scheduled: 2, dead: 1 });
    expect(await h.p.call('MUTATE {"cmd":"discard","target":"scheduled","filter":{"jobtype":"A"}}')).toBe(
      "+OK",
    );
    expect((await h.faktory()).sets).toMatchObject({ scheduled: 1, dead: 1 });
    expect(
      await h.p.call(
        'MUTATE {"cmd":"requeue","target":"scheduled","filter":{"jids":["mut-b-001"],"jobtype":"Z"}}',
      ),
    ).toBe("+OK");
    const job = await fetchJob();
    expect(job.jid).toBe("mut-b-001");
    expect(job.enqueued_at).toBeUndefined(); // raw payload requeued
    expect(await h.p.call('MUTATE {"cmd":"requeue","target":"dead","filter":{"regexp":"*mut-a-00?*"}}')).toBe(
      "+OK",
    );
    expect((await fetchJob()).jid).toBe("mut-a-002");
  });

  it("clears and discards without a filter", async () => {
    await schedule("clr-a-001", "A");
    await schedule("clr-a-002", "A");
    expect(await h.p.call('MUTATE {"cmd":"discard","target":"scheduled"}')).toBe("+OK");
    await schedule("clr-a-003", "A");
    expect(await h.p.call('MUTATE {"cmd":"clear","target":"scheduled","filter":{"jids":["x"]}}')).toBe("+OK");
    expect((await h.faktory()).sets.scheduled).toBe(0);
  });

  it("rejects bad lines with the reference's texts", async () => {
    expect(await h.p.call('MUTATE {"cmd":"kill", "target":"dead"}')).toBe("-ERR invalid format");
    expect(await h.p.call("MUTATE")).toBe("-ERR invalid format");
    expect(await h.p.call('MUTATE {"cmd":"x","target":"dead"}')).toBe("-ERR unknown mutate operation");
    expect(await h.p.call('MUTATE {"cmd":"kill","target":"default"}')).toBe(
      "-ERR invalid target for mutation command",
    );
    expect(await h.p.call("MUTATE {bad")).toMatch(/^-ERR invalid JSON: /);
    expect(await h.p.call('MUTATE {"cmd":1}')).toMatch(/^-ERR invalid JSON: .*Operation\.cmd/);
  });
});

describe("QUEUE", () => {
  it("reports latency and removes queues with their jobs", async () => {
    await h.p.call(pushLine("lat-00001", { queue: "q1" }));
    h.clock.advance(1500);
    expect(await h.p.call("QUEUE LATENCY q1 zz")).toBe('$17\r\n{"q1":1.5,"zz":0}');
    expect(await h.p.call("QUEUE LATENCY *")).toBe("-ERR QUEUE LATENCY does not support wildcards");
    expect(await h.p.call("QUEUE REMOVE q1")).toBe("+OK");
    expect((await h.faktory()).queues).toEqual({});
    expect(await h.p.call("QUEUE")).toBe("-ERR internal error");
    expect(await h.p.call("QUEUE unpause x")).toBe("-ERR no such QUEUE subcommand: UNPAUSE");
  });
});

describe("FLUSH", () => {
  it("forgets queues too (unlike the reference)", async () => {
    await h.p.call(pushLine("flush-001", { queue: "q1" }));
    expect(await h.p.call("FLUSH")).toBe("+OK");
    const f = await h.faktory();
    expect(f.queues).toEqual({});
    expect(await h.w.call("INFO")).not.toBe(CLOSED);
  });
});
