/**
 * `npm run demo`: an embedded Faktory server, a client pushing a few thousand jobs of several
 * types (some failing once, some scheduled, some CPU-bound in worker threads), and a worker
 * processing them all, with a live progress line and a summary. Finishes in a few seconds.
 * @module
 */
import { Client } from "../client/index.js";
import { startServer } from "../server/index.js";
import { Worker } from "../worker/index.js";
import { runEnterpriseDemo } from "./demo-enterprise.js";

type Jobs = {
  ResizeImage: [imageId: number, width: number];
  SendEmail: [to: string, template: string];
  Fibonacci: [n: number];
  DailyReport: [day: number];
};

const COUNTS = { ResizeImage: 1500, SendEmail: 1000, Fibonacci: 400, DailyReport: 100 } as const;
const FAIL_EVERY = 10; // one SendEmail in ten fails on its first attempt
const SCHEDULE_MS = 3000;
const CONCURRENCY = 20;

/** A CPU-bound handler module for the thread pool, inlined as a data: URL (no extra file). */
const FIBONACCI_MODULE = `data:text/javascript,${encodeURIComponent(
  "export default function ([n]) { const fib = (k) => (k < 2 ? k : fib(k - 1) + fib(k - 2)); return fib(n); }",
)}`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const out = process.stdout;
  const tty = process.stderr.isTTY === true;
  const server = await startServer({ port: 0, webPort: false, enterprise: true });
  out.write(`Embedded Faktory server listening on ${server.url}\n`);
  const client = await Client.connect<Jobs>(server.url);
  const worker = new Worker<Jobs>({
    url: server.url,
    concurrency: CONCURRENCY,
    queues: ["critical", "default"],
  });

  const total = Object.values(COUNTS).reduce((a, b) => a + b, 0);
  const succeeded = new Set<string>();
  let failures = 0;
  let retriedOk = 0;
  let executions = 0;
  let scheduledDone = 0;

  worker.register("ResizeImage", async (job) => {
    const [id, width] = job.args;
    if (id < 0 || width <= 0) throw new RangeError("bad image");
    await sleep(id % 3); // a little I/O-like wait
  });
  worker.register("SendEmail", async (job, ctx) => {
    const [to] = job.args;
    const n = Number(to.split("@")[0]?.slice(4));
    if (n % FAIL_EVERY === 0 && ctx.attempt === 1)
      throw new Error(`SMTP server busy for ${to}`, { cause: new Error("421 try again later") });
  });
  worker.registerThreaded("Fibonacci", FIBONACCI_MODULE, { threads: 2 });
  worker.register("DailyReport", () => {
    scheduledDone++;
  });
  worker.on("job:start", () => {
    executions++;
  });
  worker.on("job:success", ({ job }) => {
    if (job.failure !== undefined) retriedOk++;
    succeeded.add(job.jid);
  });
  worker.on("job:failure", () => {
    failures++;
  });

  // Push everything.
  const t0 = performance.now();
  const jobs = [
    ...Array.from({ length: COUNTS.ResizeImage }, (_, i) =>
      client.job("ResizeImage", [i, 100 + (i % 5) * 100]),
    ),
    ...Array.from({ length: COUNTS.SendEmail }, (_, i) =>
      client.job("SendEmail", [`user${i}@example.com`, "welcome"], { queue: "critical", retry: 3 }),
    ),
    ...Array.from({ length: COUNTS.Fibonacci }, (_, i) => client.job("Fibonacci", [18 + (i % 6)])),
    ...Array.from({ length: COUNTS.DailyReport }, (_, i) =>
      client.job("DailyReport", [i], { at: { in: SCHEDULE_MS } }),
    ),
  ];
  const { rejected } = await client.pushBulk(jobs);
  if (rejected.length > 0) throw new Error(`the server refused ${rejected.length} jobs`);
  out.write(
    `Pushed ${total} jobs in ${Math.round(performance.now() - t0)} ms: ` +
      `${COUNTS.ResizeImage} ResizeImage, ${COUNTS.SendEmail} SendEmail (1 in ${FAIL_EVERY} fails on its first attempt), ` +
      `${COUNTS.Fibonacci} Fibonacci (CPU-bound, in worker threads), ` +
      `${COUNTS.DailyReport} DailyReport scheduled ${SCHEDULE_MS / 1000} s ahead.\n` +
      `Faktory retries a failed job 15-44 s later; to keep the demo short it moves the retry set back\n` +
      `to the queues at once (MUTATE requeue), as an operator could from the web UI.\n\n`,
  );

  // Run the worker; a ticker shows progress and requeues retries (Faktory's own delay is 15 s+).
  const started = performance.now();
  const stopped = worker.run();
  let lastPlain = 0;
  let burstSecs: number | undefined;
  let burstExecutions = 0;
  const progress = (final = false): void => {
    const secs = (performance.now() - started) / 1000;
    const line =
      `${succeeded.size}/${total} done, ${failures} failed attempts, ${retriedOk} retried ok, ` +
      `${scheduledDone}/${COUNTS.DailyReport} scheduled, ${Math.round(executions / Math.max(secs, 0.001))} jobs/s`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    else if (final || secs - lastPlain >= 1) {
      lastPlain = secs;
      process.stderr.write(`${line}\n`);
    }
  };
  while (succeeded.size < total) {
    await sleep(100);
    const info = await client.info();
    if (info.faktory.sets.retries > 0) await client.requeue("retries");
    if (burstSecs === undefined && succeeded.size >= total - COUNTS.DailyReport) {
      burstSecs = (performance.now() - started) / 1000;
      burstExecutions = executions;
    }
    progress();
    if (performance.now() - started > 50_000) throw new Error("the demo took too long");
  }
  const elapsed = (performance.now() - started) / 1000;
  progress(true);
  await worker.shutdown();
  const details = await stopped;
  const info = await client.info();
  await client.close();

  out.write(
    `\nSummary\n` +
      `  jobs done:        ${succeeded.size} of ${total}\n` +
      `  failed attempts:  ${failures} (each FAILed with its error type, message and stack)\n` +
      `  retried and ok:   ${retriedOk} (moved back from the retry set by the demo)\n` +
      `  scheduled jobs:   ${scheduledDone} ran after their ${SCHEDULE_MS / 1000} s delay\n` +
      `  executions:       ${executions} in ${elapsed.toFixed(2)} s with ${CONCURRENCY} slots, ` +
      `including the ${SCHEDULE_MS / 1000} s wait for the scheduled jobs\n` +
      `  throughput:       ${Math.round(burstExecutions / (burstSecs ?? elapsed))} jobs/s while jobs were waiting ` +
      `(${burstExecutions} in ${(burstSecs ?? elapsed).toFixed(2)} s, progress sampled every 100 ms)\n` +
      `  server counters:  processed ${info.faktory.total_processed}, failures ${info.faktory.total_failures}\n` +
      `  worker stopped:   ${details.reason}, graceful=${details.graceful}\n`,
  );
  await runEnterpriseDemo(server.url, out);
  await server.close();
}

main().then(
  () => {
    process.exitCode = 0;
    // Everything is closed; if anything still lingered, do not hang the demo on it.
    setTimeout(() => process.exit(0), 2000).unref();
  },
  (err: unknown) => {
    console.error("demo failed:", err);
    process.exit(1);
  },
);
