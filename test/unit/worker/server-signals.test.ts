/**
 * The worker obeys `quiet` and `terminate` when a fake server answers its BEAT with them (this
 * runs whatever FAKTORY_URL says, unlike the operator tests against the embedded server):
 * quiet stops fetching but finishes the running job and keeps beating as quiet; terminate
 * stops the worker once its running job is done.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Worker } from "../../../src/worker/index.js";
import { type FakeServer, startFakeServer } from "../../support/scripted-server.js";
import { until } from "../../support/until.js";
import { nextEvent } from "../../integration/worker/helpers.js";

const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

/** A fake Faktory whose BEAT answer the test sets and whose FETCH blocks until a job is offered. */
interface SignalServer {
  server: FakeServer;
  /** What BEAT answers from now on. */
  beatState: "running" | "quiet" | "terminate";
  /** Hands a job to a blocked FETCH, or to the next one. */
  offer(jid: string, jobtype: string): void;
  /** Answers every blocked FETCH with `$-1` (as a real server does after 2 s). */
  releaseFetches(): void;
  lines(verb: string): string[];
}

async function startSignalServer(): Promise<SignalServer> {
  const waiting: ((reply: string) => void)[] = [];
  const jobs: string[] = [];
  const s: SignalServer = {
    server: undefined as unknown as FakeServer,
    beatState: "running",
    offer(jid, jobtype) {
      const job = JSON.stringify({ jid, jobtype, args: [], queue: "default", retry: 25 });
      const fetch = waiting.shift();
      if (fetch !== undefined) fetch(bulk(job));
      else jobs.push(job);
    },
    releaseFetches() {
      for (const fetch of waiting.splice(0)) fetch("$-1\r\n");
    },
    lines(verb) {
      return s.server.received.filter((r) => r.line.startsWith(verb)).map((r) => r.line);
    },
  };
  s.server = await startFakeServer((line) => {
    if (line.startsWith("HELLO ")) return "+OK\r\n";
    if (line === "END") return "close";
    if (line.startsWith("BEAT "))
      return s.beatState === "running" ? "+OK\r\n" : bulk(`{"state":"${s.beatState}"}`);
    if (line.startsWith("FETCH ")) {
      const job = jobs.shift();
      if (job !== undefined) return bulk(job);
      return new Promise<string>((resolve) => waiting.push(resolve));
    }
    if (line.startsWith("ACK ") || line.startsWith("FAIL ")) return "+OK\r\n";
    return "-ERR unexpected\r\n";
  });
  return s;
}

describe("worker and server signals", () => {
  let s: SignalServer;
  let worker: Worker | undefined;
  afterEach(async () => {
    s.releaseFetches();
    await worker?.shutdown({ timeoutMs: 0 });
    worker = undefined;
    await s.server.close();
  });

  it("quiet from a BEAT reply: no more FETCH, the running job finishes and is ACKed, beats say quiet", async () => {
    s = await startSignalServer();
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    worker = new Worker({ url: s.server.url, concurrency: 2, unsafeBeatIntervalMs: 20 });
    worker.register("Slow", () => released);
    const started = nextEvent(worker, "job:start");
    void worker.run();
    await until(() => s.lines("FETCH").length === 2, "both slots fetching");
    s.offer("slow-job-1", "Slow");
    await started;

    s.beatState = "quiet";
    const quiet = await nextEvent(worker, "quiet");
    expect(quiet.source).toBe("server");
    expect(worker.phase).toBe("quiet");
    s.releaseFetches(); // the idle slot's FETCH comes back empty
    const fetches = s.lines("FETCH").length;

    const done = nextEvent(worker, "job:success");
    release();
    expect((await done).job.jid).toBe("slow-job-1");
    await until(() => s.lines("ACK").length === 1, "the ACK");
    // two more beats, reporting quiet; still no FETCH from either slot
    await nextEvent(worker, "beat");
    await nextEvent(worker, "beat");
    const lastBeat = JSON.parse(s.lines("BEAT").at(-1)!.slice(5)) as { current_state?: string };
    expect(lastBeat.current_state).toBe("quiet");
    expect(s.lines("FETCH")).toHaveLength(fetches);
    expect(worker.phase).toBe("quiet");
    expect(await worker.shutdown()).toMatchObject({ reason: "shutdown", graceful: true, running: 0 });
  });

  it("terminate from a BEAT reply: stops fetching, lets the running job finish, and run() resolves", async () => {
    s = await startSignalServer();
    worker = new Worker({
      url: s.server.url,
      concurrency: 1,
      unsafeBeatIntervalMs: 20,
      shutdownTimeoutMs: 5000,
    });
    let sawStopping = false;
    worker.register("Coop", async (_job, ctx) => {
      await new Promise<void>((resolve) => ctx.stopping.addEventListener("abort", () => resolve()));
      sawStopping = true;
    });
    const started = nextEvent(worker, "job:start");
    const run = worker.run();
    s.offer("coop-job-1", "Coop");
    await started;

    s.beatState = "terminate";
    const terminate = await nextEvent(worker, "terminate");
    expect(terminate.source).toBe("server");
    const details = await run;
    expect(details).toEqual({ reason: "terminate", graceful: true, running: 0, undelivered: 0 });
    expect(sawStopping).toBe(true);
    expect(s.lines("ACK")).toEqual(['ACK {"jid":"coop-job-1"}']);
    expect(s.lines("FETCH")).toHaveLength(1);
    expect(worker.phase).toBe("stopped");
  });
});
