// `npm run soak`: a long run in one process (embedded server, client and worker together) that
// checks memory and handles come back to their baseline. Rounds of --jobs jobs are pushed and
// processed; after each round a full GC is forced and the heap is sampled. The heap after the
// last round must stay within --max-growth (default 25%) of the heap after the first round
// (which includes warm-up), and once everything is closed no socket or timer may remain.
//   node --expose-gc bench/soak.mjs [--rounds 10] [--jobs 20000] [--concurrency 20]
import { parseArgs } from "node:util";
import { Client, Worker } from "../dist/index.js";
import { startServer } from "../dist/server.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    jobs: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "20" },
    "max-growth": { type: "string", default: "0.25" },
  },
});
const rounds = Number(values.rounds);
const perRound = Number(values.jobs);
const maxGrowth = Number(values["max-growth"]);
if (globalThis.gc === undefined) {
  console.error("run with node --expose-gc");
  process.exit(2);
}

const resources = () =>
  process
    .getActiveResourcesInfo()
    // stdio handles (a TTY or a pipe, created on first output) and pending close requests are not ours
    .filter((r) => r !== "TTYWrap" && r !== "PipeWrap" && r !== "CloseReq")
    .sort()
    .join(",");
const mib = (n) => (n / 1048576).toFixed(1);
const sample = () => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
};

const baselineResources = resources();
const server = await startServer({ port: 0, webPort: false });
const client = await Client.connect(server.url);
const worker = new Worker({ url: server.url, concurrency: Number(values.concurrency), queues: ["soak"] });
let done = 0;
let waiter;
worker.register("Noop", () => {
  done++;
  if (waiter !== undefined && done >= waiter.target) waiter.resolve();
});
const running = worker.run();

const rows = [];
const started = performance.now();
for (let round = 1; round <= rounds; round++) {
  const target = done + perRound;
  const finished = new Promise((resolve) => {
    waiter = { target, resolve };
  });
  for (let i = 0; i < perRound; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(perRound, i + 1000); j++)
      batch.push(client.job("Noop", [round, j], { queue: "soak" }));
    const { rejected } = await client.pushBulk(batch);
    if (rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(rejected[0])}`);
  }
  await finished;
  const info = server.info().faktory;
  rows.push({ round, done, ...sample(), working: info.sets.working, queued: info.total_enqueued });
  const r = rows.at(-1);
  console.log(
    `round ${String(round).padStart(2)}: ${done} jobs done, heap ${mib(r.heap)} MiB, rss ${mib(r.rss)} MiB, external ${mib(r.external)} MiB, working ${r.working}, queued ${r.queued}`,
  );
}
const seconds = (performance.now() - started) / 1000;
const details = await worker.shutdown();
await running;
await client.close();
await server.close();
// A closed listener's handle is released on a later turn of the event loop.
await new Promise((resolve) => setTimeout(resolve, 50));
const leftover = resources();

const first = rows[0].heap;
const last = rows.at(-1).heap;
const growth = (last - first) / first;
console.log(
  `\n${done} jobs in ${seconds.toFixed(1)} s (${Math.round(done / seconds)} jobs/s); heap after round 1: ${mib(first)} MiB, after round ${rounds}: ${mib(last)} MiB (${(growth * 100).toFixed(1)}%)`,
);
console.log(
  `worker stopped: ${details?.reason ?? "?"}; resources before: [${baselineResources}] after close: [${leftover}]`,
);
const problems = [];
if (done !== rounds * perRound) problems.push(`expected ${rounds * perRound} jobs, ran ${done}`);
if (growth > maxGrowth) problems.push(`heap grew ${(growth * 100).toFixed(1)}% (limit ${maxGrowth * 100}%)`);
if (leftover !== baselineResources)
  problems.push(`handles left open: [${leftover}] vs [${baselineResources}]`);
if (problems.length > 0) {
  console.error(`SOAK FAILED: ${problems.join("; ")}`);
  process.exit(1);
}
console.log("soak ok: memory flat, no handles left");
