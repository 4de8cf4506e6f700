/**
 * `npm run bench:durable`: the embedded server's durable storage against its memory storage, in
 * the same run, on Faktory's load test (the scenario of `npm run bench`: 10 connections, half
 * pushing, half fetching and acknowledging), each server in its own child process. Then the
 * start-up time and memory of a store holding many queued jobs.
 *
 *   npm run bench:durable                      20k jobs per load run, 3 rounds, 1M-job store
 *   npm run bench:durable -- 50000 3 1000000   jobs per run, rounds, jobs in the start-up store
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DATABASE_FILE, openStorage } from "../src/server/index.js";
import type { FromLoad, FromServer, LoadResult, LoadSpec, ToServer } from "./shared.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const [jobsArg, roundsArg, storeArg] = process.argv.slice(2);
const JOBS = Number(jobsArg ?? 20_000);
const ROUNDS = Number(roundsArg ?? 3);
const STORE_JOBS = Number(storeArg ?? 1_000_000);

function next<T>(child: ChildProcess, accept: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T): void => {
      if (!accept(m)) return;
      child.off("message", onMessage);
      resolve(m);
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`child exited (${code})`)));
  });
}

/** The server child's CPU time so far (user + system, µs). */
async function serverCpu(server: ChildProcess): Promise<number> {
  const reply = next<FromServer>(server, (m) => m.type === "cpu");
  server.send({ type: "cpu" } satisfies ToServer);
  const m = await reply;
  return m.type === "cpu" ? m.userUs + m.systemUs : Number.NaN;
}

/** One load run: jobs/s, and the server's CPU time per job (µs). */
async function loadRun(mode: "memory" | "durable", round: number): Promise<{ rate: number; cpuUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "faktory-ts-bench-durable-"));
  const server = fork(join(HERE, "server-process.js"), {
    env: { ...process.env, FAKTORY_BENCH_DATA_DIR: mode === "durable" ? dir : "" },
  });
  try {
    const ready = await next<FromServer>(server, (m) => m.type !== "cpu");
    if (ready.type !== "ready") throw new Error(ready.type === "error" ? ready.message : "no ready");
    const cpuBefore = await serverCpu(server);
    const load = fork(join(HERE, "load-process.js"));
    const result = next<FromLoad>(load, (m) => m.type !== "progress");
    load.send({
      url: ready.url,
      jobs: JOBS,
      threads: 10,
      queuePrefix: `durable-${mode}-${round}-`,
    } satisfies LoadSpec);
    const message = await result;
    load.kill();
    if (message.type !== "result") throw new Error(message.type === "error" ? message.message : "no result");
    const r: LoadResult = message.result;
    if (r.pushes !== r.jobs || r.pops !== r.jobs)
      throw new Error(`${mode}: pushed ${r.pushes}, popped ${r.pops}`);
    const cpuUs = (await serverCpu(server)) - cpuBefore;
    return { rate: (r.jobs / r.elapsedMs) * 1000, cpuUs: cpuUs / r.jobs };
  } finally {
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const rates: Record<"memory" | "durable", number[]> = { memory: [], durable: [] };
const cpu: Record<"memory" | "durable", number[]> = { memory: [], durable: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of round % 2 === 0 ? (["memory", "durable"] as const) : (["durable", "memory"] as const)) {
    const run = await loadRun(mode, round);
    rates[mode].push(run.rate);
    cpu[mode].push(run.cpuUs);
    process.stderr.write(
      `round ${round + 1}/${ROUNDS} ${mode}: ${run.rate.toFixed(0)} jobs/s, server CPU ${run.cpuUs.toFixed(1)} µs/job\n`,
    );
  }
}
const memory = median(rates.memory);
const durable = median(rates.durable);
console.log(`Faktory load test, ${JOBS} jobs x 10 connections, median of ${ROUNDS} rounds`);
console.log(
  `  memory  ${memory.toFixed(0).padStart(7)} jobs/s, server CPU ${median(cpu.memory).toFixed(1)} µs/job`,
);
console.log(
  `  durable ${durable.toFixed(0).padStart(7)} jobs/s  (${((durable / memory) * 100).toFixed(0)}% of memory; target >= 50%), server CPU ${median(cpu.durable).toFixed(1)} µs/job`,
);

// start-up on a large store
const dir = mkdtempSync(join(tmpdir(), "faktory-ts-bench-store-"));
try {
  const fill = await openStorage({ path: dir });
  const payload = JSON.stringify({
    jid: "x".repeat(24),
    jobtype: "SomeJob",
    args: [1, "string", 3],
    queue: "default",
  });
  let t = performance.now();
  for (let i = 0; i < STORE_JOBS; i++) {
    fill.enqueue(`q${i % 5}`, { jid: `store-${i}`, payload, reserveFor: 0 });
    if (i % 100_000 === 99_999) await fill.pendingCommit();
  }
  await fill.pendingCommit();
  fill.close();
  const fillMs = performance.now() - t;
  const rssBefore = process.memoryUsage().rss;
  t = performance.now();
  const reopened = await openStorage({ path: dir });
  const openMs = performance.now() - t;
  const job = reopened.dequeue("q0");
  await reopened.pendingCommit();
  const rssAfter = process.memoryUsage().rss;
  const size = statSync(join(dir, DATABASE_FILE)).size;
  reopened.close();
  console.log(
    `Store of ${STORE_JOBS.toLocaleString("en-US")} queued jobs: filled in ${(fillMs / 1000).toFixed(1)} s, ` +
      `${(size / 2 ** 20).toFixed(0)} MiB on disk; opened in ${openMs.toFixed(0)} ms; ` +
      `RSS ${(rssAfter / 2 ** 20).toFixed(0)} MiB after open + FETCH (${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MiB more than before open); first job ${job?.jid}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
