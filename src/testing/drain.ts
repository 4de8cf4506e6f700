/**
 * `drain`: run every job a server holds through a worker until nothing is left to run.
 * @module
 */
import { Client } from "../client/client.js";
import { StateError } from "../protocol/errors.js";
import type { JobRegistry } from "../protocol/job-types.js";
import type { FaktoryInfo } from "../protocol/messages.js";
import type { JobHandler } from "../worker/types.js";
import { Worker } from "../worker/worker.js";

/** Handlers by job type, for {@link drain} to register on a worker of its own. */
export type DrainHandlers<Jobs extends JobRegistry> = { readonly [T in keyof Jobs]: JobHandler<Jobs[T]> };

/** Settings of {@link drain}. */
export interface DrainOptions {
  /** Queues to drain (default: every queue the server knows). */
  queues?: readonly string[];
  /** Also run jobs of the scheduled set, at once, whatever their time (default `true`). */
  scheduled?: boolean;
  /** Also run jobs waiting in the retry set, at once, until they succeed or die (default `true`). */
  retries?: boolean;
  /** Most jobs to run before giving up with a {@link DrainLimitError} (default 10 000). */
  maxJobs?: number;
}

/** What {@link drain} did. */
export interface DrainResult {
  /** Jobs run (each retry counts again). */
  readonly processed: number;
  /** Of those, runs that failed. */
  readonly failed: number;
  /** Size of the dead set at the end. */
  readonly dead: number;
}

/** {@link drain} ran `maxJobs` jobs and jobs were still waiting: most likely a job that pushes itself. */
export class DrainLimitError extends StateError {
  /** A name for the error class. */
  override readonly name = "DrainLimitError";
}

/**
 * {@link drain} ran everything it could, but jobs are left in queues it was asked to drain that
 * no FETCH serves: paused queues (or, against a URL, a quiet worker). Resume the queues, or
 * leave them out with {@link DrainOptions.queues}.
 */
export class DrainPausedError extends StateError {
  /** A name for the error class. */
  override readonly name = "DrainPausedError";

  /**
   * @param queues - the queues left, each with the jobs waiting in it.
   * @param result - what the drain did before it stopped.
   * @param detail - why the queues are not served.
   */
  constructor(
    readonly queues: Readonly<Record<string, number>>,
    readonly result: DrainResult,
    detail = "they are paused",
  ) {
    const list = Object.entries(queues)
      .map(([q, n]) => `${q} (${n} job${n === 1 ? "" : "s"})`)
      .join(", ");
    super(
      `drain ran ${result.processed} job(s) but jobs are left in ${list}: ${detail}; resume them (client.resumeQueues) or leave them out with the queues option`,
    );
  }
}

/**
 * Runs every due job through a worker until the queues are empty, then moves the scheduled and
 * retry sets to their queues (`MUTATE requeue`) and goes on, until nothing is left to run: jobs
 * that the jobs push run too, and a failing job is retried until it succeeds or dies (use
 * `retry` on the job to keep that short). Scheduled and retry jobs run at once, so no fake
 * clock is needed, and it works against a real Faktory as well as the embedded server.
 *
 * `target` is the server (anything with a `url`, e.g. from {@link startTestServer}) or its URL.
 * `runner` is a {@link Worker} already set up for that server (left running), or handlers by job
 * type, which `drain` registers on a worker of its own and shuts down at the end.
 *
 * Jobs that cannot run because their queue is paused make it reject with a
 * {@link DrainPausedError} naming those queues (once everything else has run), rather than
 * report success with jobs left behind; drain only the other queues with `queues`. Given the
 * server object (as {@link startTestServer} returns it), `drain` sees paused queues at once and
 * never waits, even on a manual clock; given only a URL, it learns it from a FETCH that comes
 * back empty after the server's 2 s wait, which a server on a manual clock never ends.
 *
 * @example
 * ```ts
 * await using server = await startTestServer();
 * await using client = await Client.connect(server.url);
 * await client.push("SendEmail", ["a@example.com"], { at: { in: 3_600_000 } });
 * const sent: string[] = [];
 * const result = await drain(server, { SendEmail: async (job) => void sent.push(String(job.args[0])) });
 * expect(result.processed).toBe(1);
 * ```
 */
export async function drain<Jobs extends JobRegistry>(
  target: string | { readonly url: string },
  runner: Worker<Jobs> | DrainHandlers<Jobs>,
  options: DrainOptions = {},
): Promise<DrainResult> {
  const url = typeof target === "string" ? target : target.url;
  const maxJobs = options.maxJobs ?? 10_000;
  const owned = !(runner instanceof Worker);
  const worker = runner instanceof Worker ? runner : ownWorker(url, runner);
  const client = await Client.connect(url);
  const pausedOf = typeof target === "string" ? undefined : pausedQueuesOf(target);
  try {
    const start = (await client.info()).faktory.total_failures;
    let processed = 0;
    const resultOf = (info: FaktoryInfo["faktory"]): DrainResult => ({
      processed,
      failed: info.total_failures - start,
      dead: info.sets.dead,
    });
    for (;;) {
      const info = (await client.info()).faktory;
      const names = options.queues ?? Object.keys(info.queues);
      const paused = new Set(pausedOf?.() ?? []);
      const waiting = names.filter((q) => (info.queues[q] ?? 0) > 0);
      const runnable = waiting.filter((q) => !paused.has(q));
      if (runnable.length === 0) {
        let moved = false;
        if (options.scheduled !== false && info.sets.scheduled > 0) {
          await client.requeue("scheduled");
          moved = true;
        }
        if (options.retries !== false && info.sets.retries > 0) {
          await client.requeue("retries");
          moved = true;
        }
        if (moved) continue;
        if (waiting.length > 0) throw new DrainPausedError(sizesOf(waiting, info), resultOf(info));
        return resultOf(info);
      }
      if (processed >= maxJobs)
        throw new DrainLimitError(
          `drain ran ${maxJobs} jobs and jobs are still waiting in ${runnable.join(", ")}`,
        );
      if (!(await worker.runOne(runnable))) {
        // FETCH waited and found nothing: the queues are paused (or the worker is quiet).
        const last = (await client.info()).faktory;
        const left = runnable.filter((q) => (last.queues[q] ?? 0) > 0);
        if (left.length === 0) continue; // someone else took them meanwhile
        throw new DrainPausedError(
          sizesOf(left, last),
          resultOf(last),
          "FETCH found no job in them (paused queues, or a quiet worker)",
        );
      }
      processed++;
    }
  } finally {
    await client.close();
    if (owned) await worker.shutdown();
  }
}

/** The target's `pausedQueues()` when it has one (an embedded server), else `undefined`. */
function pausedQueuesOf(target: { readonly url: string }): (() => readonly string[]) | undefined {
  const fn = (target as { pausedQueues?: unknown }).pausedQueues;
  return typeof fn === "function" ? () => (fn as () => readonly string[]).call(target) : undefined;
}

function sizesOf(queues: readonly string[], info: FaktoryInfo["faktory"]): Record<string, number> {
  const out: Record<string, number> = Object.create(null); // "__proto__" stays a plain key
  for (const q of queues) out[q] = info.queues[q] ?? 0;
  return out;
}

function ownWorker<Jobs extends JobRegistry>(url: string, handlers: DrainHandlers<Jobs>): Worker<Jobs> {
  const worker = new Worker<Jobs>({ url, concurrency: 1 });
  for (const [jobtype, handler] of Object.entries(handlers))
    worker.register(jobtype as never, handler as JobHandler<Jobs[never]>);
  return worker;
}
