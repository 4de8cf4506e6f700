/**
 * Recorded-jobs mode: capture pushes without sending them, and find them again in assertions.
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import {
  type BulkJobFor,
  type BulkPushResult,
  type PlainJob,
  prepareBulk,
  withDefaults,
} from "../client/bulk.js";
import type { Client } from "../client/client.js";
import {
  assertValidJob,
  createJob,
  type JobOptions,
  serializeJob,
  type TypedJob,
} from "../client/job-builder.js";
import type { Job } from "../protocol/job.js";
import type { JobRegistry, JobTypeOf, UntypedJobs } from "../protocol/job-types.js";

/** What {@link JobRecorder.pushed} matches on; every given field must match. */
export interface PushedFilter {
  /** The job type, exactly. */
  jobtype?: string;
  /** The args, compared deeply (`isDeepStrictEqual`), or a predicate on them. */
  args?: readonly unknown[] | ((args: readonly unknown[]) => boolean);
  /** The queue; a job pushed without one counts as `"default"`, as the server files it. */
  queue?: string;
}

/** The pushing part of a {@link Client}: what code under test needs to enqueue jobs. */
export type JobPusher<Jobs extends JobRegistry = UntypedJobs> = Pick<
  Client<Jobs>,
  "push" | "pushBulk" | "job"
>;

/**
 * A stand-in for a {@link Client} that records pushes instead of sending them. It checks each
 * job as the client does (a bad job rejects with the same `ValidationError`; runtime schemas are
 * not applied) and keeps it as it would be sent (`JSON` round trip). Give it to code that takes
 * a {@link JobPusher}, or record a real client's pushes with {@link recordPushes}.
 *
 * @typeParam Jobs - the job-type registry typing `push`, as for {@link Client}.
 * @example
 * ```ts
 * import { JobRecorder } from "faktory-ts/testing";
 *
 * const recorder = new JobRecorder<{ SendEmail: [to: string] }>();
 * await signUp(recorder, "a@example.com"); // calls recorder.push("SendEmail", [...])
 * expect(recorder.pushed({ jobtype: "SendEmail", args: ["a@example.com"] })).toHaveLength(1);
 * ```
 */
export class JobRecorder<Jobs extends JobRegistry = UntypedJobs> implements JobPusher<Jobs> {
  private readonly recorded: Job<readonly unknown[]>[] = [];

  /** Every recorded job, in push order. */
  get jobs(): readonly Job<readonly unknown[]>[] {
    return this.recorded;
  }

  /** Builds a job with a fresh jid, as {@link Client.job} does. Nothing is recorded. */
  job<T extends JobTypeOf<Jobs>>(jobtype: T, args: Jobs[T], options?: JobOptions): TypedJob<T, Jobs[T]> {
    return createJob<T, Jobs[T]>(jobtype, args, options);
  }

  /** Records one job (same forms as {@link Client.push}) and resolves with its jid. */
  push<T extends JobTypeOf<Jobs>>(jobtype: T, args: Jobs[T], options?: JobOptions): Promise<string>;
  push(job: BulkJobFor<Jobs>): Promise<string>;
  async push(
    jobOrType: string | PlainJob<string, readonly unknown[]>,
    args?: readonly unknown[],
    options?: JobOptions,
  ): Promise<string> {
    const job =
      typeof jobOrType === "string"
        ? createJob(jobOrType, args as readonly unknown[], options)
        : withDefaults(jobOrType);
    assertValidJob(job);
    this.recorded.push(JSON.parse(serializeJob(job)) as Job<readonly unknown[]>);
    return job.jid;
  }

  /** Records many jobs (as {@link Client.pushBulk}); locally refused ones are reported, not kept. */
  async pushBulk(jobs: readonly BulkJobFor<Jobs>[]): Promise<BulkPushResult> {
    const result: BulkPushResult = { pushed: [], rejected: [], notUnique: [] };
    for (const p of await prepareBulk(jobs, (j) => j)) {
      if (p.error !== undefined) result.rejected.push({ jid: p.jid, error: p.error });
      else {
        this.recorded.push(JSON.parse(p.json) as Job<readonly unknown[]>);
        result.pushed.push(p.jid);
      }
    }
    return result;
  }

  /** The recorded jobs matching every field of `filter` (all of them without one), in push order. */
  pushed(filter: PushedFilter = {}): Job<readonly unknown[]>[] {
    return this.recorded.filter((job) => {
      if (filter.jobtype !== undefined && job.jobtype !== filter.jobtype) return false;
      if (filter.queue !== undefined && (job.queue ?? "default") !== filter.queue) return false;
      const args = filter.args;
      if (typeof args === "function") return args(job.args);
      return args === undefined || isDeepStrictEqual(job.args, args);
    });
  }

  /** Forgets every recorded job. */
  clear(): void {
    this.recorded.length = 0;
  }
}

/** A {@link JobRecorder} attached to a client by {@link recordPushes}. */
export interface AttachedRecorder<Jobs extends JobRegistry> extends JobRecorder<Jobs> {
  /** Gives the client its own `push` and `pushBulk` back: it sends again. */
  restore(): void;
}

/**
 * Switches a real client to recorded-jobs mode: its `push` and `pushBulk` record the jobs in the
 * returned recorder instead of sending them (every other method still talks to the server).
 * `restore()` switches it back.
 *
 * @example
 * ```ts
 * const recorder = recordPushes(client);
 * await client.push("Resize", ["a.png", 100], { queue: "images" });
 * expect(recorder.pushed({ queue: "images" })).toHaveLength(1);
 * recorder.restore();
 * ```
 */
export function recordPushes<Jobs extends JobRegistry>(client: Client<Jobs>): AttachedRecorder<Jobs> {
  const recorder = new JobRecorder<Jobs>() as JobRecorder<Jobs> & { restore?: () => void };
  const target = client as unknown as Record<"push" | "pushBulk", unknown>;
  target.push = recorder.push.bind(recorder);
  target.pushBulk = recorder.pushBulk.bind(recorder);
  recorder.restore = () => {
    delete target.push;
    delete target.pushBulk;
  };
  return recorder as AttachedRecorder<Jobs>;
}
