/**
 * `Worker.runOne()`: one FETCH, one job, one result, on a connection of its own that is kept
 * between calls.
 * @module
 */
import { FETCH_BLOCK_MS } from "../connection/connection.js";
import { traceFetch, traceResult } from "../connection/tracing.js";
import { fetchCommand, parseJsonReply } from "../protocol/commands.js";
import { ConnectionError } from "../protocol/errors.js";
import type { Job } from "../protocol/job.js";
import { classifyResultError, type PendingResults } from "./pending-results.js";
import { type Connector, ignoreRejection, type WireConnection } from "./wire.js";

/** What a {@link SingleRunner} needs from its worker. */
export interface SingleRunHost {
  /** Opens a connection that said HELLO with the worker's identity. */
  readonly connect: Connector;
  /** Results waiting for a connection (sent first). */
  readonly pending: PendingResults;
  /** Runs a job; resolves with its result line. Never rejects. */
  execute(job: Job<readonly unknown[]>, slot: number): Promise<string>;
  /** Reports a recovered problem. */
  reportError(error: unknown, where: string): void;
}

/**
 * Runs single jobs for `Worker.runOne()`.
 * @example
 * ```ts
 * const single = new SingleRunner(host);
 * await single.runOne(["default"]); // true when a job ran
 * await single.close();
 * ```
 */
export class SingleRunner {
  private conn: WireConnection | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly host: SingleRunHost) {}

  /**
   * Sends waiting results, fetches one job from `queues`, runs it and reports its result.
   * Resolves `false` when no job came. A result that could not be delivered is kept for
   * re-sending and the call rejects with a {@link ConnectionError} saying so.
   */
  runOne(queues: string[]): Promise<boolean> {
    const call = this.fetchAndRun(queues);
    const tracked = call.then(ignoreRejection, ignoreRejection);
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    return call;
  }

  /** Resolves once every `runOne` call in flight now has settled (it never rejects). */
  settled(): Promise<unknown> {
    return Promise.all(this.inFlight);
  }

  private async fetchAndRun(queues: string[]): Promise<boolean> {
    const { host } = this;
    const conn = await this.connection();
    try {
      await host.pending.flush(conn);
      const reply = await traceFetch(queues, conn.send(fetchCommand(queues), FETCH_BLOCK_MS));
      const job = parseJsonReply<Job<readonly unknown[]>>(reply, "FETCH");
      if (job === null) return false;
      const line = await host.execute(job, -1);
      try {
        await traceResult(job, line, conn.send(line));
      } catch (err) {
        const verdict = classifyResultError(err);
        if (verdict === "retry") {
          host.pending.add({ jid: job.jid, kind: line.startsWith("ACK") ? "ACK" : "FAIL", line });
          throw new ConnectionError(
            `job ${job.jid} ran but its result could not be sent (${(err as Error).message}); it is kept and will be re-sent`,
            { cause: err },
          );
        }
        if (verdict === "refused") host.reportError(err, `result of job ${job.jid}`);
      }
      return true;
    } catch (err) {
      if (classifyResultError(err) === "retry") {
        conn.destroy();
        if (this.conn === conn) this.conn = undefined;
      }
      throw err;
    }
  }

  /** Closes the connection (if any). */
  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    await conn?.end();
  }

  private async connection(): Promise<WireConnection> {
    if (this.conn !== undefined && this.conn.state === "ready") return this.conn;
    this.conn?.destroy();
    this.conn = await this.host.connect();
    return this.conn;
  }
}
