// `npm run chaos`: the full chaos run (see bench/chaos/harness.mjs). Options:
//   --jobs N (50000)  --producers N (4)  --workers N (4)  --concurrency N (10)
//   --cut-every MS (100)  --line-cut-chance P (0.002)  --restart-down MS (3000)
//   --restart-jobs N (2000)  --seed N (1)  --quiet
// Prints the table and exits non-zero when a job was lost, a check failed or a process crashed.
// Run with `node --expose-gc bench/chaos.mjs` to measure memory after a full GC.
import { parseArgs } from "node:util";
import { CHAOS_DEFAULTS, formatChaosTable, runChaos } from "./chaos/harness.mjs";

const { values } = parseArgs({
  options: {
    jobs: { type: "string" },
    producers: { type: "string" },
    workers: { type: "string" },
    concurrency: { type: "string" },
    "cut-every": { type: "string" },
    "line-cut-chance": { type: "string" },
    "restart-down": { type: "string" },
    "restart-jobs": { type: "string" },
    seed: { type: "string" },
    quiet: { type: "boolean" },
  },
});
const num = (v, d) => (v === undefined ? d : Number(v));
const options = {
  jobs: num(values.jobs, CHAOS_DEFAULTS.jobs),
  producers: num(values.producers, CHAOS_DEFAULTS.producers),
  workers: num(values.workers, CHAOS_DEFAULTS.workers),
  concurrency: num(values.concurrency, CHAOS_DEFAULTS.concurrency),
  cutEveryMs: num(values["cut-every"], CHAOS_DEFAULTS.cutEveryMs),
  lineCutChance: num(values["line-cut-chance"], CHAOS_DEFAULTS.lineCutChance),
  restartDownMs: num(values["restart-down"], CHAOS_DEFAULTS.restartDownMs),
  restartJobs: num(values["restart-jobs"], CHAOS_DEFAULTS.restartJobs),
  seed: num(values.seed, CHAOS_DEFAULTS.seed),
  log: values.quiet ? undefined : (msg) => console.log(msg),
};

const escaped = [];
process.on("unhandledRejection", (err) => escaped.push(`unhandledRejection: ${err?.stack ?? err}`));
process.on("uncaughtException", (err) => escaped.push(`uncaughtException: ${err?.stack ?? err}`));

const memory = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return `rss ${(m.rss / 2 ** 20).toFixed(1)} MiB, heap ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB`;
};
const gcNote = globalThis.gc === undefined ? " (no --expose-gc: numbers include garbage)" : " (after GC)";
const before = memory();
const result = await runChaos(options);
const after = memory();

console.log(`\nchaos: ${options.jobs} jobs, cuts every ~${options.cutEveryMs} ms, seed ${options.seed}\n`);
console.log(formatChaosTable(result));
console.log(`\nrecovered 'error' events of the workers: ${JSON.stringify(result.workerErrorEvents ?? {})}`);
console.log(`memory of the parent (server, proxy, producers)${gcNote}: before ${before}; after ${after}`);
const problems = [...result.problems, ...escaped];
if (problems.length > 0) {
  console.log(`\nFAILED (${problems.length} problem${problems.length === 1 ? "" : "s"}):`);
  for (const p of problems) console.log(`  - ${p}`);
  process.exitCode = 1;
} else console.log("\nOK: nothing lost, every duplicate explained, no process crashed.");
