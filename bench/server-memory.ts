/**
 * Memory per queued job on the embedded server's memory store: a server child started with
 * `--expose-gc` (memory-process.ts) is filled over the wire with PUSHB (several connections,
 * 1,000 jobs a command) and measured after full collections, empty and at each size. The cost
 * per job is (RSS − empty RSS) / jobs and (heap used − empty heap used) / jobs, so growth
 * between sizes shows. A second child holds jobs in the `scheduled` set (same sizes, smaller).
 *
 * The jobs are realistic: about 190 bytes of JSON each as the server stores them (retry, custom,
 * jid, queue, jobtype, created_at, args).
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "../src/index.js";
import type { FromMemoryServer, ToMemoryServer } from "./shared.js";
import type { Metric } from "./table.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** Idle time before the last measurement: V8's memory reducer returns the grown young generation. */
const SETTLE_MS = 12_000;

/** One measurement of the server child after full collections. */
export interface MemoryPoint {
  /** Jobs held. */
  jobs: number;
  /** Idle time before the measurement (0: right after the last push). */
  settledMs: number;
  /** Bytes. */
  rss: number;
  heapUsed: number;
  /** The V8 heap's committed size (its used part plus free space it keeps). */
  heapTotal: number;
  external: number;
}

/** The outcome of {@link measureServerMemory}. */
export interface ServerMemoryResult {
  /** Jobs waiting in queues: the empty server, then each size. */
  queued: MemoryPoint[];
  /** Jobs in the scheduled set: the empty server, then each size. */
  scheduled: MemoryPoint[];
  /** Bytes of stored JSON of one job (as the server re-marshals it). */
  jobBytes: number;
}

/** Per-job figures of `point` over `base`. */
export function perJob(
  point: MemoryPoint,
  base: MemoryPoint,
): { rss: number; heap: number; external: number } {
  const n = Math.max(1, point.jobs);
  return {
    rss: (point.rss - base.rss) / n,
    heap: (point.heapUsed - base.heapUsed) / n,
    external: (point.external - base.external) / n,
  };
}

function next<T>(child: ChildProcess, accept: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`memory server child exited (${code})`));
    const onMessage = (m: T): void => {
      if (!accept(m)) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** A job of about 190 bytes as stored; `i` makes it unique. */
function job(i: number, tag: string, at: string | undefined): Record<string, unknown> {
  const j: Record<string, unknown> = {
    jid: `${tag}${i.toString(36).padStart(8, "0")}`,
    jobtype: "SendInvoice",
    args: [i, `c${i}@example.com`],
    queue: "default",
    created_at: "2026-12-04T17:28:33.123Z",
    retry: 25,
    custom: { tenant: "acme" },
  };
  if (at !== undefined) j.at = at;
  return j;
}

async function fill(
  child: ChildProcess,
  url: string,
  sizes: readonly number[],
  at: string | undefined,
  onProgress: (done: number) => void,
): Promise<MemoryPoint[]> {
  const measure = async (jobs: number, settleMs = 0): Promise<MemoryPoint> => {
    const reply = next<FromMemoryServer>(child, (m) => m.type === "memory" || m.type === "error");
    child.send({ type: "measure", settleMs } satisfies ToMemoryServer);
    const m = await reply;
    if (m.type === "error") throw new Error(m.message);
    if (m.type !== "memory") throw new Error(`unexpected ${m.type}`);
    return {
      jobs,
      settledMs: settleMs,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
    };
  };
  const connections = 4;
  const clients = await Promise.all(Array.from({ length: connections }, () => Client.connect(url)));
  const tag = randomBytes(8).toString("hex"); // 16 chars + 8 = a 24-character jid
  try {
    const points = [await measure(0)];
    let pushed = 0;
    for (const size of sizes) {
      const per = 10_000;
      while (pushed < size) {
        const starts: number[] = [];
        for (let c = 0; c < connections && pushed + c * per < size; c++) starts.push(pushed + c * per);
        await Promise.all(
          starts.map(async (start, c) => {
            const end = Math.min(size, start + per);
            const jobs = [];
            for (let i = start; i < end; i++) jobs.push(job(i, tag, at));
            const result = await clients[c]!.pushBulk(jobs as never);
            if (result.rejected.length > 0) throw new Error(`rejected: ${result.rejected[0]!.error}`);
          }),
        );
        pushed = Math.min(size, pushed + connections * per);
        onProgress(pushed);
      }
      points.push(await measure(size));
    }
    points.push(await measure(pushed, SETTLE_MS));
    return points;
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
  }
}

async function withChild<T>(run: (child: ChildProcess, url: string) => Promise<T>): Promise<T> {
  const child = fork(join(HERE, "memory-process.js"), { execArgv: ["--expose-gc"] });
  try {
    const ready = await next<FromMemoryServer>(child, () => true);
    if (ready.type !== "ready") throw new Error(ready.type === "error" ? ready.message : "no ready");
    return await run(child, ready.url);
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  }
}

/**
 * Fills one server child with `sizes` queued jobs (ascending, cumulative) and another with
 * `scheduledSizes` scheduled jobs, measuring each after full collections.
 */
export async function measureServerMemory(
  sizes: readonly number[],
  scheduledSizes: readonly number[],
  onProgress: (fraction: number) => void = () => {},
): Promise<ServerMemoryResult> {
  const total = (sizes.at(-1) ?? 0) + (scheduledSizes.at(-1) ?? 0);
  const queued = await withChild((child, url) =>
    fill(child, url, sizes, undefined, (done) => onProgress(done / total)),
  );
  const future = new Date(Date.now() + 24 * 3600_000).toISOString();
  const scheduled =
    scheduledSizes.length === 0
      ? []
      : await withChild((child, url) =>
          fill(child, url, scheduledSizes, future, (done) =>
            onProgress(((sizes.at(-1) ?? 0) + done) / total),
          ),
        );
  const sample = JSON.stringify({
    retry: 25,
    custom: { tenant: "acme" },
    ...job(123456, "x".repeat(16), undefined),
  });
  return { queued, scheduled, jobBytes: Buffer.byteLength(sample) };
}

/** Lines of text describing a result. */
export function formatServerMemory(r: ServerMemoryResult): string[] {
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const lines = [`Server memory per job (memory store, ~${r.jobBytes} B of JSON a job, after full GC):`];
  for (const [name, points] of [
    ["queued", r.queued],
    ["scheduled", r.scheduled],
  ] as const) {
    const base = points[0];
    if (base === undefined) continue;
    for (const p of points.slice(1)) {
      const per = perJob(p, base);
      lines.push(
        `  ${p.jobs.toLocaleString("en-US").padStart(9)} ${name.padEnd(9)}${p.settledMs > 0 ? ` ${p.settledMs / 1000} s idle` : ""} RSS ${mib(p.rss).padStart(8)} ` +
          `(${per.rss.toFixed(0)} B/job over empty ${mib(base.rss)}), heap used ${per.heap.toFixed(0)} B/job, ` +
          `off-heap ${per.external.toFixed(0)} B/job; V8 heap ${mib(p.heapTotal)} committed (${mib(base.heapTotal)} empty)`,
      );
    }
  }
  return lines;
}

/** 100000 → "100k", 1000000 → "1M". */
function count(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
}

/** What {@link serverMemoryStep} needs from the orchestrator (run.ts). */
export interface MemoryStepHost {
  quick: boolean;
  round: number;
  metric(m: Metric): Metric;
  sample(m: Metric, lib: "faktory-ts", value: number): void;
  progress: { begin(label: string): void; update(fraction: number): void; end(): void };
  fail(what: string, detail: string): void;
}

/**
 * `npm run bench -- --only server`: memory per queued job at 100k and 1M jobs (100k and 250k
 * with --quick), and the 1M store's RSS against the 350 MB target. First round only: the fill
 * takes a minute and the figures hardly move between rounds.
 */
export async function serverMemoryStep(host: MemoryStepHost): Promise<void> {
  if (host.round > 0) return;
  const sizes = host.quick ? [100_000, 250_000] : [100_000, 1_000_000];
  host.progress.begin(`Server memory, ${sizes.map(count).join(" + ")} queued jobs`);
  try {
    const r = await measureServerMemory(sizes, [100_000], (f) => host.progress.update(f));
    const base = r.queued[0]!;
    for (const p of r.queued.slice(1)) {
      const idle = p.settledMs > 0 ? `, after ${p.settledMs / 1000} s idle` : "";
      const per = perJob(p, base);
      const m = host.metric({
        key: `server-memory-${p.jobs}${p.settledMs > 0 ? "-idle" : ""}`,
        label: `Server memory, ${count(p.jobs)} queued jobs of ~${r.jobBytes} B${idle} (RSS B/job over empty)`,
        higherIsBetter: false,
        notes: [`heap used ${per.heap.toFixed(0)} B/job, off-heap ${per.external.toFixed(0)} B/job`],
      });
      host.sample(m, "faktory-ts", per.rss);
      if (p.jobs !== 1_000_000) continue;
      const total = host.metric({
        key: `server-memory-1m-rss${p.settledMs > 0 ? "-idle" : ""}`,
        label: `Server RSS holding 1M queued jobs${idle} (MB)`,
        higherIsBetter: false,
        target: { kind: "ts-max", value: 350 },
        notes: ["reference: Redis under a real Faktory 1.10 ≈ 240 MB for the same jobs"],
      });
      host.sample(total, "faktory-ts", p.rss / 1e6);
    }
    const s = r.scheduled;
    if (s.length > 1) {
      const m = host.metric({
        key: "server-memory-scheduled",
        label: `Server memory, ${count(s[1]!.jobs)} scheduled jobs (heap B/job)`,
        higherIsBetter: false,
      });
      host.sample(m, "faktory-ts", perJob(s[1]!, s[0]!).heap);
    }
  } catch (err) {
    host.fail("server memory", err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    host.progress.end();
  }
}
