/**
 * The Faktory client: push jobs, inspect and control queues and the retry, scheduled and dead
 * sets. One client holds one pipelined connection that heals itself after a drop.
 * @module
 */
import { connectWithRetry, defaultConnectRetry } from "./connect-retry.js";
import { resolveConnectionOptions } from "../connection/options.js";
import { exponentialBackoff } from "../connection/retry.js";
import { tracePush, tracePushBulk, tracingPushBulk } from "../connection/tracing.js";
import { flushCommand, infoCommand } from "../protocol/commands.js";
import { ConfigurationError, ServerError, StateError } from "../protocol/errors.js";
import type { Job } from "../protocol/job.js";
import {
  type JobRegistry,
  type JobSchemas,
  type JobsFromSchemas,
  type JobTypeOf,
  schemaFor,
  type UntypedJobs,
  validateArgs,
} from "../protocol/job-types.js";
import type { FaktoryInfo, MutateFilter, MutateOperation, MutateTarget } from "../protocol/messages.js";
import type { Reply } from "../protocol/resp-reader.js";
import { Batches } from "./batches.js";
import {
  type BulkJobFor,
  type BulkPushResult,
  type PlainJob,
  prepareBulk,
  sendPrepared,
  withDefaults,
} from "./bulk.js";
import { assertValidJob, createJob, type JobOptions, serializeJob, type TypedJob } from "./job-builder.js";
import { mutationLine, withFilter } from "./mutate.js";
import { type ClientOptions, DEFAULT_MAX_RESENDS, DEFAULT_PUSH_CHUNK_SIZE } from "./options.js";
import { ProgressApi } from "./progress.js";
import { isAllQueues, type QueueTarget, queueLine, queueSelection } from "./queues.js";
import { type ClientState, ReconnectingConnection } from "./reconnecting-connection.js";
import { expectOk, infoFromReply, latencyFromReply } from "./replies.js";

export type { JobFor } from "./job-builder.js";
export type { QueueTarget } from "./queues.js";

/**
 * A Faktory client. Create it with {@link Client.connect}; close it with {@link Client.close}
 * (or `await using`).
 *
 * Every method may be called concurrently: commands share one connection and are pipelined.
 * If the connection drops, the next command re-opens it (see {@link ClientOptions.retry});
 * commands issued meanwhile wait for it. Errors:
 * {@link ValidationError} (refused locally, nothing sent), {@link ServerError} (the server said
 * `-CODE message`; never retried), {@link ConnectionError} (the server could not be reached
 * within the retry strategy's bound), {@link ProtocolError} (a reply that is not Faktory's),
 * {@link StateError} (the client is closed).
 *
 * @typeParam Jobs - the job-type registry that types {@link Client.push}.
 *
 * @example
 * ```ts
 * import { Client } from "faktory-ts";
 *
 * type Jobs = { SendEmail: [to: string, subject: string]; Resize: [url: string, width: number] };
 * await using client = await Client.connect<Jobs>("tcp://localhost:7419");
 *
 * const jid = await client.push("SendEmail", ["a@example.com", "Hi"], { queue: "mail", retry: 5 });
 * await client.push("Resize", ["https://x/y.png", 200], { at: { in: 60_000 } }); // in one minute
 * const { pushed, rejected } = await client.pushBulk([
 *   client.job("Resize", ["https://x/1.png", 100]),
 *   client.job("Resize", ["https://x/2.png", 100]),
 * ]);
 * const info = await client.info();
 * console.log(info.faktory.queues, await client.queueLatency("mail", "default"));
 * await client.requeue("retries", { jobtype: "SendEmail" });
 * await client.pauseQueues(["mail"]);
 * ```
 */
export class Client<Jobs extends JobRegistry = UntypedJobs> {
  /** The first connection: every command but pushes, and the client's state. */
  private readonly conn: ReconnectingConnection;
  /** Every connection pushes may use (`conn` first). */
  private readonly pushConns: readonly ReconnectingConnection[];
  private readonly schemas: JobSchemas | undefined;
  private readonly chunkSize: number;
  /** Faktory Enterprise batches: create, reopen and inspect them; see {@link Batches}. */
  readonly batches: Batches<Jobs>;
  /** Faktory Enterprise progress tracking (`TRACK SET` / `TRACK GET`); see {@link ProgressApi}. */
  readonly progress: ProgressApi;

  private constructor(
    conns: readonly ReconnectingConnection[],
    schemas: JobSchemas | undefined,
    chunkSize: number,
  ) {
    this.conn = conns[0]!;
    this.pushConns = conns;
    this.schemas = schemas;
    this.chunkSize = chunkSize;
    const command = (line: string): Promise<Reply> => {
      this.assertOpen();
      return this.conn.send(line);
    };
    this.batches = new Batches<Jobs>({
      command,
      push: (j) => this.push(j as BulkJobFor<Jobs>),
      pushBulk: (j) => this.pushBulk(j as readonly BulkJobFor<Jobs>[]),
    });
    this.progress = new ProgressApi(command);
  }

  /**
   * Connects to a Faktory server and resolves once the handshake is done. The argument is a URL
   * or {@link ClientOptions}; with neither, the URL comes from `FAKTORY_PROVIDER` /
   * `FAKTORY_URL`, else `tcp://localhost:7419`. This first connection is one attempt (unless
   * {@link ClientOptions.connectRetry} asks to wait for the server): it rejects with
   * {@link ConnectionError}, {@link AuthenticationError} or {@link ConfigurationError}.
   *
   * Give the registry as a type argument (`Client.connect<Jobs>()`), or pass runtime schemas as
   * `jobs` and the registry is inferred from them.
   */
  static connect<S extends JobSchemas>(
    options: ClientOptions<S> & { jobs: S },
  ): Promise<Client<JobsFromSchemas<S>>>;
  static connect<Jobs extends JobRegistry = UntypedJobs>(
    options?: ClientOptions<undefined> | string,
  ): Promise<Client<Jobs>>;
  static async connect(options: ClientOptions | string = {}): Promise<Client<JobRegistry>> {
    const opts: ClientOptions = typeof options === "string" ? { url: options } : options;
    const chunkSize = opts.pushChunkSize ?? DEFAULT_PUSH_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < 1)
      throw new ConfigurationError(`pushChunkSize must be a positive integer, got ${String(chunkSize)}`);
    const maxResends = opts.maxResends ?? DEFAULT_MAX_RESENDS;
    if (!Number.isInteger(maxResends) || maxResends < 0)
      throw new ConfigurationError(`maxResends must be a non-negative integer, got ${String(maxResends)}`);
    const connections = opts.connections ?? 1;
    if (!Number.isInteger(connections) || connections < 1 || connections > 16)
      throw new ConfigurationError(`connections must be an integer from 1 to 16, got ${String(connections)}`);
    resolveConnectionOptions(opts); // a bad URL or environment fails here, not on a reconnect
    const conns = Array.from(
      { length: connections },
      (_, i) =>
        new ReconnectingConnection({
          connection: opts,
          retry: opts.retry ?? exponentialBackoff(),
          resend: opts.resendUnacknowledged ?? true,
          maxResends,
          onStateChange: i === 0 ? opts.onStateChange : undefined,
        }),
    );
    const strategy = opts.connectRetry === true ? defaultConnectRetry() : opts.connectRetry || undefined;
    const opened = await Promise.allSettled(
      conns.map((c) =>
        strategy === undefined
          ? c.connect()
          : connectWithRetry(() => c.connect(), strategy, opts.connectSignal),
      ),
    );
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(conns.map((c) => c.close()));
      throw failed.reason;
    }
    return new Client(conns, opts.jobs, chunkSize);
  }

  /** The connection's state; see {@link ClientState}. */
  get state(): ClientState {
    return this.conn.state;
  }

  /**
   * Builds a job of this client's registry (typed like {@link Client.push}) with a fresh jid,
   * to pass to {@link Client.push} or {@link Client.pushBulk}. Nothing is sent.
   * @throws ValidationError when the job would be refused.
   */
  job<T extends JobTypeOf<Jobs>>(jobtype: T, args: Jobs[T], options?: JobOptions): TypedJob<T, Jobs[T]> {
    return createJob<T, Jobs[T]>(jobtype, args, options);
  }

  /**
   * Pushes one job and resolves with its jid once the server has accepted it. Either give the
   * job type, its args and {@link JobOptions}, or a job: built with {@link Client.job} /
   * {@link createJob}, or a plain {@link PlainJob} object (a missing `jid` is generated). The job is checked before anything is sent (and its args validated
   * against the `jobs` schema, if any).
   *
   * @example
   * ```ts
   * const jid = await client.push("SendEmail", ["a@example.com", "Hi"], { queue: "mail" });
   * ```
   */
  push<T extends JobTypeOf<Jobs>>(jobtype: T, args: Jobs[T], options?: JobOptions): Promise<string>;
  push(job: BulkJobFor<Jobs>): Promise<string>;
  push(
    jobOrType: string | PlainJob<string, readonly unknown[]>,
    args?: readonly unknown[],
    options?: JobOptions,
  ): Promise<string> {
    let job: Job<readonly unknown[]>;
    try {
      this.assertOpen();
      if (typeof jobOrType === "string") job = createJob(jobOrType, args as readonly unknown[], options);
      else {
        job = withDefaults(jobOrType);
        assertValidJob(job);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    if (schemaFor(this.schemas, job.jobtype) !== undefined)
      return this.withValidatedArgs(job).then((checked) => this.sendPush(checked));
    return this.sendPush(job);
  }

  /**
   * Pushes many jobs with `PUSHB`, {@link ClientOptions.pushChunkSize} jobs per command (the
   * chunks are pipelined). Jobs take the same shapes as {@link Client.push}: built jobs or plain
   * {@link PlainJob} objects (a missing `jid` is generated; `result.pushed` lists it). Jobs refused locally are reported without being sent; the server's
   * refusals (`{jid: error}`) are reported per job; the rest were pushed. It rejects only when
   * the client is closed: a chunk lost to a connection failure is reported in `rejected` with
   * the error's message (those jobs may or may not be on the server; re-pushing them with the
   * same jids is safe).
   *
   * @example
   * ```ts
   * const jobs = users.map((u) => client.job("SendEmail", [u.email, "Hi"]));
   * const { pushed, rejected } = await client.pushBulk(jobs);
   * await client.pushBulk([{ jobtype: "SendEmail", args: ["b@example.com", "Hi"], queue: "mail" }]);
   * ```
   */
  async pushBulk(jobs: readonly BulkJobFor<Jobs>[]): Promise<BulkPushResult> {
    this.assertOpen();
    if (!Array.isArray(jobs)) throw new TypeError("pushBulk takes an array of jobs");
    if (!tracingPushBulk()) return this.sendBulk(jobs);
    const filled = jobs.map((j) => withDefaults(j)); // the trace needs the jids
    return tracePushBulk(filled, () => this.sendBulk(filled as BulkJobFor<Jobs>[]));
  }

  private async sendBulk(jobs: readonly BulkJobFor<Jobs>[]): Promise<BulkPushResult> {
    const prepared = await prepareBulk(jobs, (job) =>
      schemaFor(this.schemas, job.jobtype) !== undefined ? this.withValidatedArgs(job) : job,
    );
    return sendPrepared(prepared, this.chunkSize, (line) => this.pushConnection().send(line));
  }

  /** The server's state document (`INFO`): queues and their sizes, set sizes, counters, version. */
  async info(): Promise<FaktoryInfo> {
    this.assertOpen();
    return infoFromReply(await this.conn.send(infoCommand()));
  }

  /**
   * Seconds since the oldest job of each named queue was enqueued (0 for an empty or unknown
   * queue), e.g. `{ default: 0.32, low: 8.14 }`. Needs Faktory 1.9.2+. `*` is not allowed.
   */
  async queueLatency(...queues: string[]): Promise<Record<string, number>> {
    this.assertOpen();
    return latencyFromReply(await this.conn.send(queueLine("LATENCY", queues)));
  }

  /**
   * Pauses queues: workers get no jobs from them, pushes still land. `"*"` pauses every known
   * queue. Unknown names are ignored by the server.
   */
  pauseQueues(queues: QueueTarget): Promise<void> {
    return this.queueCommand("PAUSE", queues);
  }

  /** Resumes paused queues; `"*"` resumes every known queue. */
  resumeQueues(queues: QueueTarget): Promise<void> {
    return this.queueCommand("RESUME", queues);
  }

  /**
   * Removes queues **and deletes their jobs**. `"*"` removes every known queue (sent as
   * `QUEUE REMOVE *`; if a server refuses the wildcard, the names are taken from INFO).
   */
  async removeQueues(queues: QueueTarget): Promise<void> {
    try {
      await this.queueCommand("REMOVE", queues);
    } catch (err) {
      if (!(err instanceof ServerError) || !isAllQueues(queues)) throw err;
      const names = Object.keys((await this.info()).faktory.queues);
      if (names.length > 0) await this.queueCommand("REMOVE", names);
    }
  }

  /**
   * Runs a MUTATE operation on the retry, scheduled or dead set (the primitive behind
   * {@link Client.requeue}, {@link Client.discard}, {@link Client.kill} and {@link Client.clear}).
   * MUTATE scans the whole set: keep it out of hot paths.
   *
   * @example
   * ```ts
   * await client.mutate({ cmd: "kill", target: "scheduled", filter: { jobtype: "Report" } });
   * ```
   */
  async mutate(operation: MutateOperation): Promise<void> {
    this.assertOpen();
    expectOk(await this.conn.send(mutationLine(operation)), "MUTATE");
  }

  /**
   * Moves matching jobs of a set back to their queues (no filter: all of them).
   * `filter.jids` wins over the other fields; `filter.regexp` is a Redis glob matched against
   * the job's JSON, so put `*` on each side (`"*uid:42*"`).
   */
  requeue(target: MutateTarget, filter?: MutateFilter): Promise<void> {
    return this.mutate(withFilter({ cmd: "requeue", target }, filter));
  }

  /** Deletes matching jobs of a set (no filter: all of them). */
  discard(target: MutateTarget, filter?: MutateFilter): Promise<void> {
    return this.mutate(withFilter({ cmd: "discard", target }, filter));
  }

  /** Moves matching jobs of the retry or scheduled set to the dead set (no filter: all of them). */
  kill(target: MutateTarget, filter?: MutateFilter): Promise<void> {
    return this.mutate(withFilter({ cmd: "kill", target }, filter));
  }

  /** Empties a set. */
  clear(target: MutateTarget): Promise<void> {
    return this.mutate({ cmd: "clear", target });
  }

  /** Deletes **everything** on the server: queues, jobs, sets, counters (`FLUSH`). For tests. */
  async flush(): Promise<void> {
    this.assertOpen();
    expectOk(await this.conn.send(flushCommand()), "FLUSH");
  }

  /**
   * Closes the client: stops any reconnect, lets commands already written get their replies,
   * then sends `END`. Later calls reject with {@link StateError}. Safe to call more than once.
   */
  async close(): Promise<void> {
    await Promise.all(this.pushConns.map((c) => c.close()));
  }

  /** Same as {@link Client.close}, for `await using client = await Client.connect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private assertOpen(): void {
    if (this.conn.state === "closed") throw new StateError("the client is closed");
  }

  private async withValidatedArgs(job: Job<readonly unknown[]>): Promise<Job<readonly unknown[]>> {
    const args = await validateArgs(this.schemas, job.jobtype, job.args);
    return args === job.args ? job : { ...job, args };
  }

  private encodeAndSend(job: Job<readonly unknown[]>): Promise<string> {
    let line: string;
    try {
      line = `PUSH ${serializeJob(job)}\r\n`;
    } catch (err) {
      return Promise.reject(err);
    }
    const jid = job.jid;
    return this.pushConnection()
      .send(line)
      .then((reply) => {
        expectOk(reply, "PUSH");
        return jid;
      });
  }

  private sendPush(job: Job<readonly unknown[]>): Promise<string> {
    return tracePush(job, () => this.encodeAndSend(job));
  }

  /** The push connection with the fewest commands in flight (the first when there is one). */
  private pushConnection(): ReconnectingConnection {
    const conns = this.pushConns;
    if (conns.length === 1) return this.conn;
    let best = conns[0]!;
    for (let i = 1; i < conns.length; i++) if (conns[i]!.pending < best.pending) best = conns[i]!;
    return best;
  }

  private async queueCommand(sub: "PAUSE" | "RESUME" | "REMOVE", queues: QueueTarget): Promise<void> {
    this.assertOpen();
    expectOk(await this.conn.send(queueLine(sub, queueSelection(queues))), `QUEUE ${sub}`);
  }
}
