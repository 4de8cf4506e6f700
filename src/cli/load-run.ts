/**
 * The load test behind `faktory-ts load`: the mix of Faktory's own `test/load` tool (half the
 * connections push `SomeJob [1,"string",3]` to random queues, the other half FETCH from all of
 * them in their own order and ACK, FAILing one job in a hundred), with a seeded choice of queue
 * and failure per job so a run is repeatable, and a check that every job pushed was fetched
 * exactly once.
 * @module
 */
import type { Client } from "../client/index.js";
import { Connection, FETCH_BLOCK_MS } from "../connection/index.js";
import { ackCommand, failCommand, fetchCommand, parseJsonReply } from "../protocol/commands.js";
import { generateJid } from "../protocol/ids.js";
import type { Job } from "../protocol/job.js";

/** What to run. */
export interface LoadOptions {
  /** Server URL (undefined: the environment's). */
  url: string | undefined;
  /** Environment the URL is resolved from. */
  env: NodeJS.ProcessEnv;
  /** Jobs to push (and fetch). */
  jobs: number;
  /** Connections: half push, half fetch (at least one of each). */
  connections: number;
  /** Number of queues. */
  queues: number;
  /** Prefix of the queue names (`<prefix>0`, `<prefix>1`…). */
  prefix: string;
  /** Seed of the queue and failure choices. */
  seed: number;
  /** Opens the client the pushers use. */
  connect: () => Promise<Client>;
}

/** A running tally, read by the progress display. */
export interface LoadProgress {
  /** Jobs pushed so far. */
  pushed: number;
  /** Jobs fetched for the first time so far. */
  fetched: number;
}

/** Latency percentiles in milliseconds. */
export interface Percentiles {
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Slowest. */
  max: number;
}

/** The outcome of a load run. */
export interface LoadSummary {
  /** Jobs pushed. */
  pushed: number;
  /** Jobs fetched the first time. */
  fetched: number;
  /** Jobs ACKed. */
  acked: number;
  /** Jobs FAILed on purpose (then discarded from the retry set). */
  failed: number;
  /** Failed jobs fetched again as retries before the run ended (ACKed then). */
  retried: number;
  /** Pushed jobs never fetched. */
  lost: number;
  /** Jobs fetched again although they had been ACKed. */
  duplicates: number;
  /** True when stopped by Ctrl-C. */
  interrupted: boolean;
  /** Seconds from the first push to the last push. */
  pushSeconds: number;
  /** Seconds from the first push to the last first-time ACK or FAIL. */
  seconds: number;
  /** Pushes per second. */
  pushRate: number;
  /** Jobs through the whole cycle (push, fetch, ACK/FAIL) per second. */
  rate: number;
  /** Round-trip latency of PUSH, FETCH (non-empty) and ACK/FAIL, in ms. */
  latencyMs: { push: Percentiles; fetch: Percentiles; ack: Percentiles };
}

/** A small seeded generator (mulberry32): same seed, same choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentiles of `samples` (ms); zeros when empty. */
export function percentiles(samples: number[]): Percentiles {
  if (samples.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number): number =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[sorted.length - 1]!) };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

type Plan = { fail: boolean; state: "pending" | "acked" | "failed" };

/**
 * Runs a load test. `stopSignal` ends it early (pushers stop, fetchers finish the job in hand);
 * `progress` is updated as jobs go. Cleans up after itself: the retries of the jobs it failed are
 * discarded and its queues removed.
 */
export async function runLoad(
  options: LoadOptions,
  progress: LoadProgress,
  stopSignal: AbortSignal,
): Promise<LoadSummary> {
  const queues = Array.from({ length: options.queues }, (_, i) => `${options.prefix}${i}`);
  const pushers = Math.max(1, Math.floor(options.connections / 2));
  const fetchers = Math.max(1, options.connections - pushers);
  const random = seededRandom(options.seed);
  const plans = new Map<string, Plan>();
  const lat = { push: [] as number[], fetch: [] as number[], ack: [] as number[] };
  const tally = { acked: 0, failed: 0, retried: 0, duplicates: 0 };
  let nextJob = 0;
  let pushingDone = false;
  const started = performance.now();
  let lastPush = started;
  let lastResult = started;

  const clients = await Promise.all(Array.from({ length: pushers }, () => options.connect()));
  const conns = await Promise.all(
    Array.from({ length: fetchers }, () =>
      Connection.open({ ...(options.url === undefined ? {} : { url: options.url }), env: options.env }),
    ),
  );
  try {
    const busy = (await clients[0]!.info()).faktory.queues;
    const taken = queues.filter((q) => (busy[q] ?? 0) > 0);
    if (taken.length > 0)
      throw new Error(`queue ${taken[0]} already holds jobs; choose another --queue prefix`);

    const push = async (client: Client): Promise<void> => {
      while (nextJob < options.jobs && !stopSignal.aborted) {
        nextJob++;
        const queue = queues[Math.floor(random() * queues.length)]!;
        const jid = generateJid();
        plans.set(jid, { fail: random() < 0.01, state: "pending" }); // before the push: a fetcher may see it first
        const t = performance.now();
        await client.push({ jid, jobtype: "SomeJob", args: [1, "string", 3], queue });
        lastPush = performance.now();
        lat.push.push(lastPush - t);
        progress.pushed++;
      }
    };
    const fetch = async (conn: Connection, order: string[]): Promise<void> => {
      const line = fetchCommand(order);
      for (;;) {
        if (stopSignal.aborted || progress.fetched >= options.jobs) return;
        const t = performance.now();
        const job = parseJsonReply<Job>(await conn.send(line, FETCH_BLOCK_MS), "FETCH");
        if (job === null) {
          if (pushingDone || stopSignal.aborted) return; // every queue stayed empty for 2 s after the last push
          continue;
        }
        const fetchedAt = performance.now();
        lat.fetch.push(fetchedAt - t);
        const plan = plans.get(job.jid);
        let fail = false;
        if (plan === undefined || plan.state === "acked") tally.duplicates++;
        else if (plan.state === "failed") tally.retried++;
        else {
          progress.fetched++;
          fail = plan.fail;
        }
        await conn.send(
          fail
            ? failCommand({
                jid: job.jid,
                errtype: "LoadTestError",
                message: "failed on purpose",
                backtrace: [],
              })
            : ackCommand(job.jid),
        );
        lastResult = performance.now();
        lat.ack.push(lastResult - fetchedAt);
        if (plan !== undefined && plan.state === "pending") {
          plan.state = fail ? "failed" : "acked";
          if (fail) tally.failed++;
          else tally.acked++;
        } else if (plan !== undefined) plan.state = "acked";
      }
    };

    const fetching = conns.map((conn, i) =>
      fetch(conn, shuffled(queues, seededRandom(options.seed + i + 1))),
    );
    await Promise.all(clients.map(push));
    pushingDone = true;
    await Promise.all(fetching);

    const failedJids = [...plans].filter(([, p]) => p.state === "failed").map(([jid]) => jid);
    for (let i = 0; i < failedJids.length; i += 500)
      await clients[0]!.discard("retries", { jids: failedJids.slice(i, i + 500) });
    await clients[0]!.removeQueues(queues);
  } finally {
    await Promise.allSettled([...clients.map((c) => c.close()), ...conns.map((c) => c.end())]);
  }
  const pushSeconds = (lastPush - started) / 1000;
  const seconds = (lastResult - started) / 1000;
  return {
    pushed: progress.pushed,
    fetched: progress.fetched,
    ...tally,
    lost: stopSignal.aborted ? 0 : progress.pushed - progress.fetched,
    interrupted: stopSignal.aborted,
    pushSeconds: round(pushSeconds),
    seconds: round(seconds),
    pushRate: pushSeconds > 0 ? Math.round(progress.pushed / pushSeconds) : 0,
    rate: seconds > 0 ? Math.round((tally.acked + tally.failed) / seconds) : 0,
    latencyMs: { push: percentiles(lat.push), fetch: percentiles(lat.fetch), ack: percentiles(lat.ack) },
  };
}

function shuffled(items: readonly string[], random: () => number): string[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
