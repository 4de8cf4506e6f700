/**
 * `npm run bench`: faktory-ts against faktory-worker (the incumbent JS library), side by side
 * in the same run, against the same server.
 *
 *   npm run bench                       full run (~4 min), table on stdout, progress on stderr
 *   npm run bench -- --quick            short run (< 1 min; one round instead of three)
 *   npm run bench -- --rounds 5         rounds of every measurement (the table shows medians)
 *   npm run bench -- --json [file]      also write the figures and ratios as JSON (stdout if no file)
 *   npm run bench -- --only push,process,latency,memory,server
 *   npm run bench -- --profile          children run with --cpu-prof (bench/results/profiles)
 *   npm run bench -- --only server --floor   the load against a minimal Node server that does the
 *                                       same socket reads and writes and nothing else (the floor)
 *   FAKTORY_URL=tcp://host:7419 npm run bench    use that server instead of the embedded one
 *
 * By default the embedded server runs in its own child process, and every (scenario, library)
 * measurement runs in a fresh child process too. Every run checks that each job ran exactly once
 * (and that pushes landed exactly once); any miss makes the run exit non-zero.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "../src/index.js";
import { cpuSnapshot, describeEnvironment, formatEnvironment, loadAverageNow } from "./environment.js";
import { Progress } from "./progress.js";
import { serverMemoryStep } from "./server-memory.js";
import {
  absNow,
  type DeliveryCheck,
  deliveryOk,
  describeCheck,
  errorText,
  type FromLoad,
  type FromScenario,
  type FromServer,
  JOB_TYPE,
  LIBS,
  type LibName,
  type LoadResult,
  type LoadSpec,
  quantile,
  type ScenarioResult,
  type ScenarioSpec,
  sleep,
  type ToScenario,
  type ToServer,
} from "./shared.js";
import { formatTable, type Metric, metricRatio, metricStatus, roundRatios } from "./table.js";

const HERE = dirname(fileURLToPath(import.meta.url));

type Group = "push" | "process" | "latency" | "memory" | "server";
const GROUPS: readonly Group[] = ["push", "process", "latency", "memory", "server"];

interface Sizes {
  pushSeq: number;
  pushConc: number;
  pushBulk: number;
  warmup: number;
  process: Record<1 | 10 | 50, number>;
  latency: number;
  latencyIntervalMs: number;
  memoryIdleMs: number;
  memoryJobs: number;
  loadJobs: number;
}

const FULL: Sizes = {
  pushSeq: 5000,
  pushConc: 30_000,
  pushBulk: 100_000,
  warmup: 1000,
  process: { 1: 5000, 10: 20_000, 50: 30_000 },
  latency: 1000,
  latencyIntervalMs: 3,
  memoryIdleMs: 2000,
  memoryJobs: 6000,
  loadJobs: 30_000,
};

const QUICK: Sizes = {
  pushSeq: 1000,
  pushConc: 5000,
  pushBulk: 20_000,
  warmup: 200,
  process: { 1: 1000, 10: 4000, 50: 5000 },
  latency: 300,
  latencyIntervalMs: 3,
  memoryIdleMs: 1000,
  memoryJobs: 2000,
  loadJobs: 10_000,
};

interface Cli {
  quick: boolean;
  /** undefined: no JSON; "-": stdout; else a file path. */
  json: string | undefined;
  only: Set<Group>;
  profile: boolean;
  /** The server group against bench/floor-server.ts instead of the embedded server. */
  floor: boolean;
  /** Rounds of every measurement (the table shows medians); default 3, 1 with --quick. */
  rounds: number | undefined;
}

function parseCli(argv: readonly string[]): Cli {
  const cli: Cli = {
    quick: false,
    json: undefined,
    only: new Set(GROUPS),
    profile: false,
    floor: false,
    rounds: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") cli.quick = true;
    else if (arg === "--profile") cli.profile = true;
    else if (arg === "--floor") cli.floor = true;
    else if (arg === "--rounds") {
      cli.rounds = Number(argv[++i]);
      if (!Number.isInteger(cli.rounds) || cli.rounds < 1) usage("--rounds takes a positive integer");
    } else if (arg === "--json") {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        cli.json = next;
        i++;
      } else cli.json = "-";
    } else if (arg === "--only") {
      const list = (argv[++i] ?? "").split(",").filter((s) => s !== "");
      for (const g of list) if (!GROUPS.includes(g as Group)) usage(`unknown group ${g}`);
      cli.only = new Set(list as Group[]);
    } else if (arg === "--help" || arg === "-h") usage();
    else usage(`unknown option ${arg}`);
  }
  if (cli.floor && (cli.only.size !== 1 || !cli.only.has("server"))) usage("--floor needs --only server");
  return cli;
}

function usage(problem?: string): never {
  if (problem !== undefined) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write(
    "usage: npm run bench -- [--quick] [--rounds N] [--json [file]] [--only push,process,latency,memory,server] [--profile] [--floor]\n",
  );
  process.exit(problem === undefined ? 0 : 2);
}

const cli = parseCli(process.argv.slice(2));
const sizes = cli.quick ? QUICK : FULL;
const profileDir = join(process.cwd(), "bench", "results", "profiles");
if (cli.profile) mkdirSync(profileDir, { recursive: true });
const runTag = Math.random().toString(36).slice(2, 8);
const failures: string[] = [];

// ---- child processes ----------------------------------------------------------------------

interface Child<From> {
  proc: ChildProcess;
  /** The child's stderr, last 8 KB. */
  stderr: () => string;
  /** Next message matching the predicate (rejects if the child exits first). */
  next<T extends From>(match: (m: From) => m is T): Promise<T>;
  onMessage(listener: (m: From) => void): void;
  /** Waits for the child to exit (kills it after `graceMs`). */
  done(graceMs?: number): Promise<void>;
}

function spawn<From>(file: string, name: string, env?: NodeJS.ProcessEnv): Child<From> {
  const execArgv = cli.profile
    ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-name", `${name}-${Date.now()}.cpuprofile`]
    : [];
  const proc = fork(join(HERE, file), [], {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    execArgv,
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
  let err = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-8192);
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const listeners: ((m: From) => void)[] = [];
  proc.on("message", (m) => {
    for (const l of listeners) l(m as From);
  });
  return {
    proc,
    stderr: () => err,
    onMessage: (l) => listeners.push(l),
    next<T extends From>(match: (m: From) => m is T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null): void =>
          reject(new Error(`${name} exited (${code}) before replying${err ? `; stderr:\n${err}` : ""}`));
        proc.once("exit", onExit);
        const l = (m: From): void => {
          if (!match(m)) return;
          listeners.splice(listeners.indexOf(l), 1);
          proc.off("exit", onExit);
          resolve(m);
        };
        listeners.push(l);
      });
    },
    async done(graceMs = 5000) {
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface ServerChild {
  url: string;
  /** The server process's CPU time so far (user and system, µs). */
  cpu: () => Promise<{ userUs: number; systemUs: number }>;
  stop: () => Promise<void>;
}

async function startServerChild(): Promise<ServerChild> {
  const child = spawn<FromServer>(
    "server-process.js",
    cli.floor ? "floor" : "server",
    cli.floor ? { FAKTORY_BENCH_FLOOR: "1" } : undefined,
  );
  const first = await child.next(
    (m): m is FromServer & { type: "ready" | "error" } => m.type === "ready" || m.type === "error",
  );
  if (first.type === "error") throw new Error(`server failed to start: ${first.message}`);
  return {
    url: first.url,
    async cpu() {
      const reply = child.next((m): m is FromServer & { type: "cpu" } => m.type === "cpu");
      child.proc.send({ type: "cpu" } satisfies ToServer);
      return await reply;
    },
    async stop() {
      child.proc.disconnect();
      await child.done();
    },
  };
}

// ---- measurements -------------------------------------------------------------------------

const progress = new Progress();
const startLoad = loadAverageNow();
const startCpu = cpuSnapshot();
const url = process.env.FAKTORY_URL;
const server = url === undefined ? await startServerChild() : undefined;
const serverUrl = url ?? server!.url;
const admin = await Client.connect(serverUrl);

const metrics: Metric[] = [];
/** The metric with this key (created on the first round, reused by the later ones). */
function metric(m: Metric): Metric {
  const existing = metrics.find((x) => x.key === m.key);
  if (existing !== undefined) return existing;
  metrics.push(m);
  return m;
}

/** One round's figure; the table shows the median of the rounds. */
function sample(m: Metric, lib: LibName, value: number): void {
  m.samples ??= {};
  const values = [...(m.samples[lib] ?? []), value];
  m.samples[lib] = values;
  m[lib] = quantile(values, 0.5);
}

let round = 0;
/** Libraries in this round's order: alternating, so neither always runs first. */
function runOrder(): readonly LibName[] {
  return round % 2 === 0 ? LIBS : [...LIBS].reverse();
}

function addNote(m: Metric, note: string): void {
  if (!(m.notes ?? []).includes(note)) m.notes = [...(m.notes ?? []), note];
}

function fail(what: string, detail: string): void {
  failures.push(`${what}: ${detail}`);
  progress.log(`FAILED ${what}: ${detail}`);
}

function queueName(what: string, lib: LibName): string {
  return `bench-${runTag}-${what}-${lib === "faktory-ts" ? "ts" : "fw"}`;
}

async function queueSize(queue: string): Promise<number> {
  return (await admin.info()).faktory.queues[queue] ?? 0;
}

async function processed(): Promise<number> {
  return (await admin.info()).faktory.total_processed;
}

/** Pushes n jobs with args `[i]` to the queue (faktory-ts PUSHB, 1,000 per command). */
async function prefill(queue: string, n: number): Promise<void> {
  for (let from = 0; from < n; from += 10_000) {
    const jobs = [];
    for (let i = from; i < Math.min(n, from + 10_000); i++) jobs.push(admin.job(JOB_TYPE, [i], { queue }));
    const { rejected } = await admin.pushBulk(jobs);
    if (rejected.length > 0) throw new Error(`prefill: ${rejected.length} refused: ${rejected[0]!.error}`);
  }
}

/** Resolves at the time the server has acknowledged `target` jobs and the queue is empty. */
async function waitAcknowledged(queue: string, target: number, timeoutMs = 120_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const info = await admin.info();
    const at = absNow();
    if ((info.faktory.queues[queue] ?? 0) === 0 && info.faktory.total_processed >= target) return at;
    if (performance.now() > deadline) throw new Error(`jobs not acknowledged within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** Runs one scenario with one library in a fresh child. */
async function scenario(
  lib: LibName,
  spec: ScenarioSpec,
  label: string,
  during?: (child: Child<FromScenario>) => Promise<void>,
): Promise<ScenarioResult> {
  progress.begin(`${label} · ${lib}${rounds > 1 ? ` · round ${round + 1}/${rounds}` : ""}`);
  const child = spawn<FromScenario>("scenario-process.js", `${spec.kind}-${lib}`);
  child.onMessage((m) => {
    if (m.type === "progress") progress.update(m.done / m.total);
  });
  const reply = child.next((m): m is FromScenario & { type: "result" | "error" } =>
    ["result", "error"].includes(m.type),
  );
  reply.catch(() => {}); // observed below
  try {
    child.proc.send({ type: "run", lib, spec } satisfies ToScenario);
    if (during !== undefined) await Promise.race([during(child), reply]);
    const message = await reply;
    if (message.type === "error") throw new Error(message.message);
    return message.result;
  } finally {
    if (child.proc.connected) child.proc.disconnect();
    await child.done();
    progress.end();
  }
}

function rate(n: number, ms: number): number {
  return (n * 1000) / ms;
}

async function measurePush(): Promise<void> {
  const kinds = [
    {
      key: "push-seq",
      label: "Push, sequential (jobs/s)",
      spec: (queue: string) =>
        ({ kind: "push-seq", url: serverUrl, queue, n: sizes.pushSeq, warmup: sizes.warmup }) as const,
    },
    {
      key: "push-conc",
      label: "Push, 100 in flight (jobs/s)",
      target: { kind: "ratio-min", value: 3 } as const,
      spec: (queue: string) =>
        ({
          kind: "push-conc",
          url: serverUrl,
          queue,
          n: sizes.pushConc,
          warmup: sizes.warmup,
          inFlight: 100,
        }) as const,
    },
    {
      key: "push-bulk",
      label: "Push, bulk 1,000/call (jobs/s)",
      spec: (queue: string) =>
        ({
          kind: "push-bulk",
          url: serverUrl,
          queue,
          n: sizes.pushBulk,
          warmup: sizes.warmup * 5,
          batch: 1000,
        }) as const,
    },
  ];
  for (const kind of kinds) {
    const m = metric({ key: kind.key, label: kind.label, higherIsBetter: true, target: kind.target });
    for (const lib of runOrder()) {
      const queue = queueName(kind.key, lib);
      try {
        const result = await scenario(lib, kind.spec(queue), kind.label.replace(/ \(.*/, ""));
        if (result.kind !== "push") throw new Error(`unexpected result ${result.kind}`);
        if (result.unsupported !== undefined) {
          addNote(m, `${lib}: ${result.unsupported}`);
          continue;
        }
        const landed = await queueSize(queue);
        if (result.rejected > 0 || landed !== result.n)
          fail(
            `${kind.key} ${lib}`,
            `pushed ${result.n}, ${result.rejected} refused, ${landed} in the queue`,
          );
        else sample(m, lib, rate(result.n, result.elapsedMs));
      } catch (err) {
        fail(`${kind.key} ${lib}`, errorText(err));
      } finally {
        await admin.removeQueues([queue, `${queue}-warmup`]);
      }
    }
  }
}

async function measureProcessing(): Promise<void> {
  for (const concurrency of [1, 10, 50] as const) {
    const n = sizes.process[concurrency];
    const m = metric({
      key: `process-c${concurrency}`,
      label: `Processing, concurrency ${concurrency} (jobs/s)`,
      higherIsBetter: true,
      target: concurrency === 1 ? undefined : { kind: "ratio-min", value: 3 },
    });
    const cpu = metric({
      key: `process-cpu-c${concurrency}`,
      label: `Worker CPU per job, concurrency ${concurrency} (µs)`,
      higherIsBetter: false,
    });
    for (const lib of runOrder()) {
      const queue = queueName(`process-c${concurrency}`, lib);
      try {
        await prefill(queue, n);
        const base = await processed();
        let endAt = 0;
        const result = await scenario(
          lib,
          { kind: "process", url: serverUrl, queue, n, concurrency },
          `Processing c=${concurrency}`,
          async (child) => {
            await child.next(
              (msg): msg is FromScenario & { type: "handled-all" } => msg.type === "handled-all",
            );
            endAt = await waitAcknowledged(queue, base + n);
            child.proc.send({ type: "finish" } satisfies ToScenario);
          },
        );
        if (result.kind === "unsupported") {
          addNote(m, `${lib}: ${result.reason}`);
          continue;
        }
        if (result.kind !== "process") throw new Error(`unexpected result ${result.kind}`);
        if (checkDelivery(`process-c${concurrency} ${lib}`, result.check)) {
          sample(m, lib, rate(n, endAt - result.firstStartAt));
          sample(cpu, lib, result.cpuUs / n);
        }
      } catch (err) {
        fail(`process-c${concurrency} ${lib}`, errorText(err));
      } finally {
        await admin.removeQueues([queue]);
      }
    }
  }
}

function checkDelivery(what: string, check: DeliveryCheck): boolean {
  if (deliveryOk(check)) return true;
  fail(what, describeCheck(check));
  return false;
}

async function measureLatency(): Promise<void> {
  const p50 = metric({
    key: "latency-p50",
    label: "Push → handler start, p50 (ms)",
    higherIsBetter: false,
    target: { kind: "ts-max", value: 1 },
  });
  const p99 = metric({ key: "latency-p99", label: "Push → handler start, p99 (ms)", higherIsBetter: false });
  for (const lib of runOrder()) {
    const queue = queueName("latency", lib);
    try {
      const result = await scenario(
        lib,
        {
          kind: "latency",
          url: serverUrl,
          queue,
          n: sizes.latency,
          concurrency: 10,
          intervalMs: sizes.latencyIntervalMs,
        },
        "Latency",
      );
      if (result.kind === "unsupported") {
        addNote(p50, `${lib}: ${result.reason}`);
        continue;
      }
      if (result.kind !== "latency") throw new Error(`unexpected result ${result.kind}`);
      if (checkDelivery(`latency ${lib}`, result.check)) {
        sample(p50, lib, quantile(result.latenciesMs, 0.5));
        sample(p99, lib, quantile(result.latenciesMs, 0.99));
      }
    } catch (err) {
      fail(`latency ${lib}`, errorText(err));
    } finally {
      await admin.removeQueues([queue]);
    }
  }
}

async function measureMemory(): Promise<void> {
  const idle = metric({
    key: "rss-idle",
    label: "Worker RSS, concurrency 100, idle (MiB)",
    higherIsBetter: false,
    target: { kind: "ratio-max", value: 1 },
  });
  const busy = metric({
    key: "rss-busy",
    label: "Worker RSS, concurrency 100, busy (MiB)",
    higherIsBetter: false,
    target: { kind: "ratio-max", value: 1 },
  });
  const n = sizes.memoryJobs;
  for (const lib of runOrder()) {
    const queue = queueName("memory", lib);
    try {
      const base = await processed();
      const result = await scenario(
        lib,
        {
          kind: "memory",
          url: serverUrl,
          queue,
          n,
          concurrency: 100,
          idleMs: sizes.memoryIdleMs,
          handlerMs: 50,
        },
        "Memory",
        async (child) => {
          await child.next((msg): msg is FromScenario & { type: "idle-done" } => msg.type === "idle-done");
          await prefill(queue, n);
          await child.next(
            (msg): msg is FromScenario & { type: "handled-all" } => msg.type === "handled-all",
          );
          await waitAcknowledged(queue, base + n);
          child.proc.send({ type: "finish" } satisfies ToScenario);
        },
      );
      if (result.kind === "unsupported") {
        addNote(idle, `${lib}: ${result.reason}`);
        continue;
      }
      if (result.kind !== "memory") throw new Error(`unexpected result ${result.kind}`);
      if (checkDelivery(`memory ${lib}`, result.check)) {
        sample(idle, lib, quantile(result.idleRssBytes, 0.5) / 2 ** 20);
        sample(busy, lib, Math.max(...result.busyRssBytes) / 2 ** 20);
      }
    } catch (err) {
      fail(`memory ${lib}`, errorText(err));
    } finally {
      await admin.removeQueues([queue]);
    }
  }
}

let load: LoadResult | undefined;
/** The server child's CPU time over the last load run (µs), when the server is embedded. */
let loadCpu: { userUs: number; systemUs: number; perJobUs: number } | undefined;

async function measureServer(): Promise<void> {
  const m = metric({
    key: "server-load",
    label: `Server, Faktory load test ${(sizes.loadJobs / 1000).toFixed(0)}k jobs × 10 conns (jobs/s)`,
    higherIsBetter: true,
    notes: [
      "a rate depends on the load client and the machine: compare it only with this same bench run against another server (FAKTORY_URL=… npm run bench -- --only server), never with another tool's figure",
    ],
  });
  const cpuMetric =
    server === undefined
      ? undefined
      : metric({
          key: "server-cpu-per-job",
          label: "Server CPU per job in that load (µs, push + fetch + ACK)",
          higherIsBetter: false,
          target: { kind: "ts-max", value: 30 },
          notes: [
            "server CPU: the server child's process.cpuUsage() (user + system) over the load run ÷ jobs; the same load on a minimal Node server doing only its socket I/O: --only server --floor",
          ],
        });
  const prefix = `bench-${runTag}-load-q`;
  progress.begin(`Server mixed load${rounds > 1 ? ` · round ${round + 1}/${rounds}` : ""}`);
  const cpuBefore = await server?.cpu();
  const child = spawn<FromLoad>("load-process.js", "load");
  child.onMessage((msg) => {
    if (msg.type === "progress") progress.update(msg.done / msg.total);
  });
  try {
    const reply = child.next(
      (msg): msg is FromLoad & { type: "result" | "error" } => msg.type !== "progress",
    );
    child.proc.send({
      url: serverUrl,
      jobs: sizes.loadJobs,
      threads: 10,
      queuePrefix: prefix,
    } satisfies LoadSpec);
    const message = await reply;
    if (message.type === "error") throw new Error(message.message);
    load = message.result;
    if (load.pushes !== load.jobs || load.pops !== load.jobs)
      fail("server load", `pushed ${load.pushes}, popped ${load.pops} of ${load.jobs}`);
    else if (checkDelivery("server load", load.check)) {
      sample(m, "faktory-ts", rate(load.jobs, load.elapsedMs));
      const cpuAfter = await server?.cpu();
      if (cpuMetric !== undefined && cpuBefore !== undefined && cpuAfter !== undefined) {
        const userUs = cpuAfter.userUs - cpuBefore.userUs;
        const systemUs = cpuAfter.systemUs - cpuBefore.systemUs;
        loadCpu = { userUs, systemUs, perJobUs: (userUs + systemUs) / load.jobs };
        sample(cpuMetric, "faktory-ts", loadCpu.perJobUs);
        progress.log(
          `server CPU: ${(userUs / 1000).toFixed(0)} ms user + ${(systemUs / 1000).toFixed(0)} ms system for ${load.jobs} jobs = ${loadCpu.perJobUs.toFixed(1)} µs/job`,
        );
      }
    }
  } catch (err) {
    fail("server load", errorText(err));
  } finally {
    if (child.proc.connected) child.proc.disconnect();
    await child.done();
    progress.end();
    await admin.removeQueues(Array.from({ length: 5 }, (_, i) => `${prefix}${i}`));
    await admin.discard("retries", { jobtype: "SomeJob", regexp: `*${prefix}*` });
  }
}

// ---- main ---------------------------------------------------------------------------------

const steps: [Group, number, () => Promise<void>][] = [
  ["push", 6, measurePush],
  ["process", 6, measureProcessing],
  ["latency", 2, measureLatency],
  ["memory", 2, measureMemory],
  ["server", 1, measureServer],
  ["server", 1, () => serverMemoryStep({ quick: cli.quick, round, metric, sample, progress, fail })],
];
const rounds = cli.rounds ?? (cli.quick ? 1 : 3);
progress.plan(rounds * steps.filter(([g]) => cli.only.has(g)).reduce((sum, [, count]) => sum + count, 0));
const startedAt = performance.now();
try {
  for (round = 0; round < rounds; round++)
    for (const [group, , measure] of steps) if (cli.only.has(group)) await measure();
} catch (err) {
  fail("bench", errorText(err));
} finally {
  progress.finish();
  await admin.close().catch(() => {});
  await server?.stop();
}
const elapsedS = (performance.now() - startedAt) / 1000;
const environment = describeEnvironment(startCpu, startLoad);

const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
const header = [
  `faktory-ts vs faktory-worker 4.7.1 · ${cli.quick ? "quick" : "full"} run · ${rounds > 1 ? `median of ${rounds} rounds [min–max]` : "1 round"} · ${elapsedS.toFixed(0)} s`,
  `server: ${url !== undefined ? "FAKTORY_URL" : cli.floor ? "FLOOR reference (bench/floor-server.ts: socket I/O only, no Faktory)" : "embedded faktory-ts server (own process)"}`,
  ...formatEnvironment(environment),
];
const table = formatTable(metrics);
const out = cli.json === "-" ? process.stderr : process.stdout;
out.write(`\n${header.join("\n")}\n\n${table}\n`);
if (failures.length > 0) out.write(`\nCORRECTNESS FAILURES (${failures.length}):\n${failures.join("\n")}\n`);

if (cli.json !== undefined) {
  const doc = {
    date: new Date().toISOString(),
    command,
    quick: cli.quick,
    rounds,
    server: url !== undefined ? "external" : cli.floor ? "floor" : "embedded",
    environment,
    elapsedSeconds: elapsedS,
    sizes,
    metrics: metrics.map((m) => ({
      key: m.key,
      label: m.label,
      higherIsBetter: m.higherIsBetter,
      faktoryTs: m["faktory-ts"] ?? null,
      faktoryWorker: m["faktory-worker"] ?? null,
      samples: m.samples ?? {},
      ratioTsToFw: metricRatio(m) ?? null,
      ratioRangeTsToFw: roundRatios(m) ?? null,
      target: m.target ?? null,
      status: metricStatus(m),
      notes: m.notes ?? [],
    })),
    serverLoad: load ?? null,
    serverLoadCpu: loadCpu ?? null,
    ok: failures.length === 0,
    failures,
  };
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (cli.json === "-") process.stdout.write(text);
  else {
    mkdirSync(dirname(cli.json), { recursive: true });
    writeFileSync(cli.json, text);
    out.write(`\nJSON written to ${cli.json}\n`);
  }
}
process.exitCode = failures.length > 0 ? 1 : 0;
