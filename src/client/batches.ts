/**
 * Faktory Enterprise batches for the client: create, reopen and inspect batches, and push jobs
 * into them through a {@link BatchHandle} that commits when disposed (`await using`).
 * @module
 */
import { parseJsonReply } from "../protocol/commands.js";
import { ProtocolError, ServerError, StateError, ValidationError } from "../protocol/errors.js";
import type { Job } from "../protocol/job.js";
import type { JobRegistry, JobTypeOf, UntypedJobs } from "../protocol/job-types.js";
import type { Reply } from "../protocol/resp-reader.js";
import type { BulkJobFor, BulkPushResult, PlainJob } from "./bulk.js";
import { createJob, type JobOptions } from "./job-builder.js";
import { expectOk } from "./replies.js";

/** Callback state: `""` not enqueued (or not defined), `"1"` enqueued, `"2"` its job was ACKed. */
export type BatchCallbackState = "" | "1" | "2";

/** `BATCH STATUS`, typed. */
export interface BatchStatus {
  /** The batch id. */
  bid: string;
  /** The parent batch, for a child batch. */
  parentBid?: string;
  /** The description given at creation. */
  description?: string;
  /** When the batch was created (server time). */
  createdAt: Date;
  /** Members pushed so far. */
  total: number;
  /** Members not yet successfully finished. */
  pending: number;
  /** Members that failed (and have not succeeded since). */
  failed: number;
  /** State of the `complete` callback. */
  completeState: BatchCallbackState;
  /** State of the `success` callback. */
  successState: BatchCallbackState;
}

/** A callback job: built with `client.job(...)`/`createJob`, or just its type, args and options. */
export type BatchCallback =
  | Job<readonly unknown[]>
  | { jobtype: string; args?: readonly unknown[]; queue?: string };

/** Options of {@link Batches.create}. At least one of `success` and `complete` is required. */
export interface BatchOptions {
  /** Shown in the Web UI. */
  description?: string;
  /** Makes the new batch a child of this one (the parent should be open). */
  parent?: string | BatchHandle<JobRegistry>;
  /** Enqueued once every member succeeded (after retries), and after `complete`'s job was ACKed. */
  success?: BatchCallback;
  /** Enqueued once every member ran at least once (ACKed or FAILed). */
  complete?: BatchCallback;
}

/** What batches need from the client (kept narrow so this module does not import it). */
export interface BatchTransport {
  /** Sends a command line (CRLF-terminated) and resolves with the reply. */
  command(line: string): Promise<Reply>;
  /** Pushes one job (built or plain: the client fills in its defaults and checks it). */
  push(job: PlainJob<string, readonly unknown[]>): Promise<string>;
  /** Pushes jobs with PUSHB (built or plain, as `client.pushBulk` takes them). */
  pushBulk(jobs: readonly PlainJob<string, readonly unknown[]>[]): Promise<BulkPushResult>;
}

/** The BID in a reply: a bulk or simple string (some servers say `OK` to OPEN: then `fallback`). */
function bidOf(reply: Reply, what: string, fallback?: string): string {
  if ((reply.kind === "bulk" || reply.kind === "simple") && reply.value !== "") {
    if (reply.value === "OK" && fallback !== undefined) return fallback;
    return reply.value;
  }
  throw new ProtocolError(`unexpected ${reply.kind} reply to ${what}, expected a batch id`);
}

function isNoSuchBatch(err: unknown): boolean {
  return err instanceof ServerError && /^no such batch/i.test(err.serverMessage);
}

function callbackJson(
  callback: BatchCallback | undefined,
  name: string,
): Job<readonly unknown[]> | undefined {
  if (callback === undefined) return undefined;
  if (callback === null || typeof callback !== "object" || typeof callback.jobtype !== "string")
    throw new ValidationError(`${name} callback must be a job (with a jobtype)`, name);
  if ("jid" in callback && typeof callback.jid === "string") return callback as Job<readonly unknown[]>;
  const options: JobOptions = callback.queue === undefined ? {} : { queue: callback.queue };
  return createJob(callback.jobtype, callback.args ?? [], options);
}

function checkBid(bid: string): void {
  if (typeof bid !== "string" || bid === "" || /[\s]/.test(bid))
    throw new ValidationError(
      `a batch id must be a non-empty string without spaces, got ${JSON.stringify(bid)}`,
      "bid",
    );
}

/** `client.batches`: create, reopen and inspect batches (Faktory Enterprise). */
export class Batches<Jobs extends JobRegistry = UntypedJobs> {
  /** @internal */
  constructor(private readonly transport: BatchTransport) {}

  /**
   * Creates a batch (`BATCH NEW`) and returns an open handle. Push its jobs through the handle,
   * then commit it (or let `await using` commit it).
   * @throws ValidationError without a callback.
   * @example
   * ```ts
   * await using batch = await client.batches.create({ description: "resize", success: client.job("Notify", []) });
   * await batch.push("Resize", ["a.png"]);
   * ```
   */
  async create(options: BatchOptions): Promise<BatchHandle<Jobs>> {
    const body: Record<string, unknown> = {};
    if (options.description !== undefined) body.description = options.description;
    if (options.parent !== undefined) {
      const parent = typeof options.parent === "string" ? options.parent : options.parent.bid;
      checkBid(parent);
      body.parent_bid = parent;
    }
    const success = callbackJson(options.success, "success");
    const complete = callbackJson(options.complete, "complete");
    if (success === undefined && complete === undefined)
      throw new ValidationError("a batch needs a success or complete callback", "success");
    if (success !== undefined) body.success = success;
    if (complete !== undefined) body.complete = complete;
    const reply = await this.transport.command(`BATCH NEW ${JSON.stringify(body)}\r\n`);
    return new BatchHandle<Jobs>(this.transport, bidOf(reply, "BATCH NEW"));
  }

  /** Reopens a batch (`BATCH OPEN`) to add jobs or children; `null` when the server knows no such batch. */
  async open(bid: string): Promise<BatchHandle<Jobs> | null> {
    checkBid(bid);
    try {
      const reply = await this.transport.command(`BATCH OPEN ${bid}\r\n`);
      return new BatchHandle<Jobs>(this.transport, bidOf(reply, "BATCH OPEN", bid));
    } catch (err) {
      if (isNoSuchBatch(err)) return null;
      throw err;
    }
  }

  /** The batch's counters and callback states (`BATCH STATUS`); `null` when the server knows no such batch. */
  async status(bid: string): Promise<BatchStatus | null> {
    checkBid(bid);
    let reply: Reply;
    try {
      reply = await this.transport.command(`BATCH STATUS ${bid}\r\n`);
    } catch (err) {
      if (isNoSuchBatch(err)) return null;
      throw err;
    }
    if (reply.kind === "null") return null;
    if (reply.kind !== "bulk") throw new ProtocolError(`unexpected ${reply.kind} reply to BATCH STATUS`);
    const raw = parseJsonReply<Record<string, unknown>>(reply, "BATCH STATUS")!; // a bulk reply, never null
    const status: BatchStatus = {
      bid: String(raw.bid),
      createdAt: new Date(String(raw.created_at)),
      total: Number(raw.total ?? 0),
      pending: Number(raw.pending ?? 0),
      failed: Number(raw.failed ?? 0),
      completeState: (raw.complete_st ?? "") as BatchCallbackState,
      successState: (raw.success_st ?? "") as BatchCallbackState,
    };
    if (typeof raw.parent_bid === "string" && raw.parent_bid !== "") status.parentBid = raw.parent_bid;
    if (typeof raw.description === "string") status.description = raw.description;
    return status;
  }
}

/**
 * An open batch: pushes stamp `custom.bid`, {@link BatchHandle.commit} closes it. Disposing it
 * (`await using`) commits it if it is still open. Pushing after the commit is a {@link StateError}:
 * reopen with `client.batches.open(bid)`.
 */
export class BatchHandle<Jobs extends JobRegistry = UntypedJobs> implements AsyncDisposable {
  private isCommitted = false;

  /** @internal */
  constructor(
    private readonly transport: BatchTransport,
    /** The batch id. */
    readonly bid: string,
  ) {}

  /** Whether {@link BatchHandle.commit} was called on this handle. */
  get committed(): boolean {
    return this.isCommitted;
  }

  /**
   * Pushes a job into the batch; resolves with its jid. It takes what `client.push` takes: a job
   * type with its args and options, a built job, or a plain job (a missing `jid` is generated).
   * @example
   * ```ts
   * await batch.push("Resize", ["a.png"]);
   * await batch.push({ jobtype: "Resize", args: ["b.png"], queue: "images" });
   * ```
   */
  push<T extends JobTypeOf<Jobs>>(jobtype: T, args: Jobs[T], options?: JobOptions): Promise<string>;
  push(job: BulkJobFor<Jobs>): Promise<string>;
  push(
    jobOrType: string | PlainJob<string, readonly unknown[]>,
    args?: readonly unknown[],
    options?: JobOptions,
  ): Promise<string> {
    try {
      this.assertOpen();
      const job =
        typeof jobOrType === "string" ? createJob(jobOrType, args as readonly unknown[], options) : jobOrType;
      return this.transport.push(this.stamp(job));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Pushes many jobs into the batch with PUSHB; jobs take the same shapes as in
   * `client.pushBulk` (built or plain; a missing `jid` is generated and listed in `pushed`).
   * @example
   * ```ts
   * await batch.pushBulk(urls.map((url) => ({ jobtype: "Resize", args: [url] })));
   * ```
   */
  pushBulk(jobs: readonly BulkJobFor<Jobs>[]): Promise<BulkPushResult> {
    try {
      this.assertOpen();
      // Not an array: the client refuses it with its usual error.
      const stamped = Array.isArray(jobs) ? jobs.map((j) => this.stamp(j)) : jobs;
      return this.transport.pushBulk(stamped);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Creates a child batch of this (open) batch. */
  createChild(options: Omit<BatchOptions, "parent">): Promise<BatchHandle<Jobs>> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Batches<Jobs>(this.transport).create({ ...options, parent: this.bid });
  }

  /** Commits the batch (`BATCH COMMIT`): its callbacks may fire from now on. */
  async commit(): Promise<void> {
    this.assertOpen();
    this.isCommitted = true;
    const reply = await this.transport.command(`BATCH COMMIT ${this.bid}\r\n`);
    expectOk(reply, "BATCH COMMIT");
  }

  /** The batch's status (see {@link Batches.status}). */
  status(): Promise<BatchStatus | null> {
    return new Batches<Jobs>(this.transport).status(this.bid);
  }

  /** Commits the batch unless it was committed already. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.isCommitted) await this.commit();
  }

  private assertOpen(): void {
    if (this.isCommitted)
      throw new StateError(
        `batch ${this.bid} is committed; reopen it with client.batches.open("${this.bid}")`,
      );
  }

  /** The job with `custom.bid` set (a copy); what is not a job is left for the client to refuse. */
  private stamp(job: PlainJob<string, readonly unknown[]>): PlainJob<string, readonly unknown[]> {
    if (job === null || typeof job !== "object") return job;
    return { ...job, custom: { ...job.custom, bid: this.bid } };
  }
}
