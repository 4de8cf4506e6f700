/**
 * The README's code, compiled by `npm run typecheck` so the documentation cannot drift from
 * the API. Not run by the tests; `npm run demo` is the runnable tour.
 */
import { trace } from "@opentelemetry/api";
import { z } from "zod";
import { Client, defineJobs, type Job, NotUniqueError, Worker } from "../src/index.js";
import { instrumentFaktory } from "../src/otel/index.js";
import { startServer } from "../src/server/index.js";
import { expect, it } from "vitest";
import {
  drain,
  type JobPusher,
  JobRecorder,
  performJob,
  startFaultProxy,
  startTestServer,
} from "../src/testing/index.js";

declare function sendMail(to: string, subject: string, options: { signal: AbortSignal }): Promise<void>;
declare const metrics: { increment(name: string): void };
declare const jobs: Job[];

type Jobs = { SendEmail: [to: string, subject: string]; Resize: [url: string, width: number] };

export async function client(): Promise<void> {
  await using client = await Client.connect(); // FAKTORY_PROVIDER / FAKTORY_URL / tcp://localhost:7419
  const jid = await client.push("SendEmail", ["a@example.com", "Welcome"], { queue: "mail", retry: 5 });
  await client.push("Report", [42], { at: { in: 60_000 } });
  const { pushed, rejected } = await client.pushBulk(jobs);
  await client.pushBulk([{ jobtype: "Report", args: [7] }]);
  const info = await client.info();
  await client.pauseQueues("*");
  await client.requeue("retries", { jobtype: "SendEmail" });
  await client.kill("scheduled", { jids: [jid] });
  console.log(pushed.length, rejected.length, info.faktory.total_enqueued);
}

export async function typedJobs(): Promise<void> {
  const client = await Client.connect<Jobs>();
  await client.push("Resize", ["a.png", 100]);
  // @ts-expect-error: width must be a number
  await client.push("Resize", ["a.png", "100"]);
  await client.close();
}

export async function schemas(): Promise<void> {
  const jobs = defineJobs({ SendEmail: z.tuple([z.string().email(), z.string()]) });
  const client = await Client.connect({ jobs });
  await client.push("SendEmail", ["a@example.com", "hi"]);
  const worker = new Worker({ jobs });
  worker.register("SendEmail", async (job) => {
    const [to, subject]: [string, string] = job.args;
    console.log(to, subject);
  });
  await client.close();
}

export async function worker(): Promise<void> {
  const worker = new Worker<Jobs>({
    concurrency: 10,
    queues: ["critical", "default"],
    shutdownTimeoutMs: 30_000,
  });
  worker.register("SendEmail", async (job, ctx) => {
    await sendMail(job.args[0], job.args[1], { signal: ctx.signal });
  });
  worker.registerThreaded("Resize", new URL("./resize-job.js", import.meta.url), { threads: 2 });
  worker.use(async (_job, ctx, next) => {
    const t = Date.now();
    await next();
    ctx.logger.info(`${Date.now() - t} ms`);
  });
  worker.on("job:failure", ({ job }) => metrics.increment(job.jobtype));
  await worker.runToCompletion();
}

export async function server(): Promise<void> {
  await using server = await startServer({ port: 0 });
  console.log(server.url);
  server.signalWorker("all", "quiet");
  const proxy = await startFaultProxy({ target: { port: server.port }, cutEveryMs: 100 });
  await proxy.close();
}

export async function durableServer(): Promise<void> {
  await using durable = await startServer({ port: 0, storage: { path: "/var/lib/faktory-ts" } });
  console.log(durable.url);
}

export function testing(): void {
  type Jobs = { SendWelcome: [email: string] };
  const sendWelcome = async (job: Job<[string]>): Promise<void> => {
    console.log(job.args[0]);
  };
  const signUp = (jobs: JobPusher<Jobs>, email: string) =>
    jobs.push("SendWelcome", [email], { queue: "mail" });

  it("runs the handler alone", async () => {
    const result = await performJob(sendWelcome, ["a@example.com"], { jobtype: "SendWelcome" });
    expect(result.status).toBe("ack");
  });

  it("records what sign-up pushes", async () => {
    const recorder = new JobRecorder<Jobs>();
    await signUp(recorder, "a@example.com");
    expect(recorder.pushed({ jobtype: "SendWelcome", args: ["a@example.com"], queue: "mail" })).toHaveLength(
      1,
    );
  });

  it("sends the welcome mail, even a scheduled one", async () => {
    await using server = await startTestServer();
    await using client = await Client.connect<Jobs>(server.url);
    await signUp(client, "a@example.com");
    await client.push("SendWelcome", ["b@example.com"], { at: { in: 3_600_000 } });
    const result = await drain(server, { SendWelcome: sendWelcome });
    expect(result).toEqual({ processed: 2, failed: 0, dead: 0 });
  });
}

export async function enterpriseBatches(bid: string): Promise<void> {
  type Jobs = { Thumbnail: [photoId: number]; AlbumReady: [album: string] };
  const client = await Client.connect<Jobs>();
  {
    await using batch = await client.batches.create({
      description: "Holiday album",
      success: client.job("AlbumReady", ["holiday"]), // every job succeeded (after retries)
      complete: client.job("AlbumReady", ["holiday"]), // every job ran at least once
    });
    await batch.push("Thumbnail", [1]);
    await batch.pushBulk([client.job("Thumbnail", [2]), client.job("Thumbnail", [3])]);
  } // committed when the handle is disposed (or call batch.commit())
  const status = await client.batches.status(bid); // { total, pending, failed, successState, ... } | null
  const reopened = await client.batches.open(bid); // null for an unknown batch
  const child = await reopened?.createChild({ success: client.job("AlbumReady", ["child"]) });
  console.log(status?.pending, child?.bid);
}

export async function enterpriseProgress(worker: Worker): Promise<void> {
  const client = await Client.connect();
  const jid = await client.push("Import", [1000], { track: true });
  worker.register("Import", async (_job, ctx) => {
    ctx.progress(50, "half the rows"); // returns at once; sent in the background
  });
  const p = await client.progress.get(jid); // { state: "working", percent: 50, desc, updatedAt }
  await client.progress.set(jid, { percent: 100, desc: "done", reserveUntil: new Date(Date.now() + 60_000) });
  console.log(p.state);
}

export async function enterpriseUnique(): Promise<void> {
  const client = await Client.connect();
  await client.push("Report", [7], { uniqueFor: 600, uniqueUntil: "start" });
  try {
    await client.push("Report", [7], { uniqueFor: 600 });
  } catch (err) {
    if (err instanceof NotUniqueError) console.log(err.serverMessage); // "Job not unique"
  }
  const { notUnique } = await client.pushBulk(jobs); // duplicates, per jid
  await client.push("Digest", [], { expiresIn: 3600 }); // or expiresAt: Date
  console.log(notUnique);
}

export async function openTelemetry(): Promise<void> {
  // Once, after your OpenTelemetry SDK has registered its tracer provider (e.g. NodeSDK.start()).
  const stopTracing = instrumentFaktory();
  await using client = await Client.connect();
  await trace.getTracer("web").startActiveSpan("POST /signup", async (span) => {
    await client.push("SendEmail", ["a@example.com"]); // "send default", a child of POST /signup
    span.end();
  });
  // In the worker process (instrumented the same way): "process default" is a child of the push.
  const worker = new Worker().register("SendEmail", async (job) => {
    const [to] = job.args as [string];
    await trace.getTracer("mailer").startActiveSpan("smtp", async (span) => {
      await sendMail(to, "Welcome", { signal: AbortSignal.timeout(10_000) }); // nests under "process default"
      span.end();
    });
  });
  await worker.runToCompletion();
  stopTracing();
}
