/**
 * A processing slot: one connection that fetches a job, runs it, reports its result, fetches
 * the next, for as long as the worker wants jobs. It survives connection loss: it reconnects
 * with backoff and leaves undelivered results to be re-sent.
 * @module
 */
import { FETCH_BLOCK_MS } from "../connection/connection.js";
import type { RetryStrategy } from "../connection/retry.js";
import { traceFetch, traceResult } from "../connection/tracing.js";
import { ConnectionError, ServerError } from "../protocol/errors.js";
import { fetchCommand, parseJsonReply } from "../protocol/commands.js";
import type { Job } from "../protocol/job.js";
import type { Reply } from "../protocol/resp-reader.js";
import type { WorkerLogger } from "./logger.js";
import { classifyResultError, type PendingResults } from "./pending-results.js";
import type { SharedAbort } from "./shared-abort.js";
import { type Connector, ignoreRejection, isIrrecoverable, type WireConnection } from "./wire.js";

/** Extra reply time of a result line (none) and of the FETCH sent with it. */
const RESULT_THEN_FETCH: readonly number[] = [0, FETCH_BLOCK_MS];

/** What a slot needs from its worker. */
export interface SlotHost {
  /** Opens a connection that said HELLO with the worker's identity. */
  readonly connect: Connector;
  /** Results waiting for a connection. */
  readonly pending: PendingResults;
  readonly logger: WorkerLogger;
  /** Delay before reconnect attempt n, or null to give up. */
  readonly reconnect: RetryStrategy;
  /** Aborted when the worker starts stopping (cuts reconnect waits short); one listener for all slots. */
  readonly stop: SharedAbort;
  /** Whether the worker still wants new jobs (false once quiet or stopping). */
  shouldFetch(): boolean;
  /** The queue list for the next FETCH. */
  nextQueues(): string[];
  /** Runs a job; resolves with its result line (`ACK ...` or `FAIL ...`). Never rejects. */
  execute(job: Job<readonly unknown[]>, slot: number): Promise<string>;
  /** Reports a recovered problem. */
  reportError(error: unknown, where: string): void;
}

/**
 * One processing slot. `run()` resolves once the worker stops wanting jobs (after the job in
 * hand is done and reported); it rejects only with an error reconnecting cannot fix (wrong
 * password, or the reconnect strategy gave up).
 *
 * A job's ACK/FAIL and the slot's next FETCH go out in one write (one round trip per job);
 * when the worker is quiet or stopping, only the result is sent.
 *
 * @example
 * ```ts
 * await Promise.all(Array.from({ length: 10 }, (_, i) => new Slot(i, host).run()));
 * ```
 */
export class Slot {
  private conn: WireConnection | undefined;
  private failures = 0;
  private lastError: Error = new Error("connection lost");
  /** The last queue list and its FETCH line (a strict order gives the same list every time). */
  private fetchQueues: readonly string[] | undefined;
  private fetchLine = "";

  constructor(
    /** Index of the slot, 0-based. */
    readonly index: number,
    private readonly host: SlotHost,
  ) {}

  /** Fetches and runs jobs until the worker stops fetching. */
  async run(): Promise<void> {
    const { host } = this;
    /** The FETCH in flight on `this.conn` (sent with the last result). */
    let next: Promise<Reply> | undefined;
    /** A fetched job not run yet (the connection it came on may be gone). */
    let held: Job<readonly unknown[]> | undefined;
    try {
      for (;;) {
        if (held === undefined) {
          if (next === undefined && !host.shouldFetch()) return;
          const conn = await this.connection();
          if (conn === undefined) return; // the worker started stopping while we waited
          try {
            if (next === undefined) {
              if (host.pending.size > 0) await host.pending.flush(conn);
              if (!host.shouldFetch()) return;
              const fetchLine = this.fetchCommand();
              next = traceFetch(this.fetchQueues ?? [], conn.send(fetchLine, FETCH_BLOCK_MS));
            }
            const reply = await next;
            next = undefined;
            this.failures = 0;
            held = parseJsonReply<Job<readonly unknown[]>>(reply, "FETCH") ?? undefined;
            if (held === undefined) continue;
          } catch (err) {
            next = undefined; // a lost connection loses its FETCH too
            this.drop(err);
            continue;
          }
        }
        const job = held;
        held = undefined;
        const line = await host.execute(job, this.index);
        const conn = this.conn;
        if (conn === undefined || conn.state !== "ready") {
          // No connection to send it on: the next one (or the stop) delivers it.
          host.pending.add({ jid: job.jid, kind: resultKind(line), line });
          continue;
        }
        let result: Promise<Reply>;
        if (host.shouldFetch()) {
          const [sent, fetched] = conn.sendBatch([line, this.fetchCommand()], RESULT_THEN_FETCH) as [
            Promise<Reply>,
            Promise<Reply>,
          ];
          next = traceFetch(this.fetchQueues ?? [], fetched);
          next.catch(ignoreRejection);
          result = traceResult(job, line, sent);
        } else result = traceResult(job, line, conn.send(line));
        try {
          await this.settle(result, line, job.jid);
        } catch (err) {
          // The result is kept for re-sending. After an error reply (not a lost connection) the
          // FETCH sent with it may still bring a job, which the server now holds reserved for us:
          // take it, or it would run again only when its reservation expires.
          const fetched = next;
          next = undefined;
          if (fetched !== undefined && err instanceof ServerError) held = await salvageFetch(fetched);
          this.drop(err);
        }
      }
    } finally {
      const conn = this.conn;
      this.conn = undefined;
      await conn?.end();
    }
  }

  /** The next FETCH line; built again only when the queue list changes. */
  private fetchCommand(): string {
    const queues = this.host.nextQueues();
    if (queues !== this.fetchQueues) {
      this.fetchLine = fetchCommand(queues);
      this.fetchQueues = queues;
    }
    return this.fetchLine;
  }

  /** Waits for a result's reply; keeps it for re-delivery (and rethrows) when the connection failed. */
  private async settle(result: Promise<Reply>, line: string, jid: string): Promise<void> {
    try {
      await result;
    } catch (err) {
      const kind = resultKind(line);
      const verdict = classifyResultError(err);
      if (verdict === "retry") {
        this.host.pending.add({ jid, kind, line });
        this.host.logger.warn(`${kind} of job ${jid} not delivered; it will be re-sent after reconnecting`, {
          jid,
          slot: this.index,
        });
        throw err;
      }
      if (verdict === "known")
        this.host.logger.debug(`server no longer holds job ${jid}: ${(err as Error).message}`, { jid });
      else {
        this.host.logger.warn(`server refused ${kind} of job ${jid}: ${(err as Error).message}`, { jid });
        this.host.reportError(err, `${kind} of job ${jid}`);
      }
    }
  }

  private drop(err: unknown): void {
    this.failures++;
    this.lastError = err instanceof Error ? err : new Error(String(err));
    this.conn?.destroy();
    this.conn = undefined;
    if (!this.host.stop.aborted) {
      this.host.logger.warn(
        `slot ${this.index}: connection lost: ${(err as Error)?.message ?? String(err)}`,
        {
          slot: this.index,
        },
      );
      this.host.reportError(err, `slot ${this.index}`);
    }
  }

  /**
   * The slot's connection, opening one (with backoff after failures) when needed. Resolves
   * `undefined` when the worker began stopping meanwhile; rejects with an error that
   * reconnecting cannot fix.
   */
  private async connection(): Promise<WireConnection | undefined> {
    const { host } = this;
    if (this.conn !== undefined && this.conn.state === "ready") return this.conn;
    if (this.conn !== undefined && this.conn.state === "closed") {
      // It died between two commands (the server closed it, or sent a reply nobody asked for):
      // count that as a failure too, so the reconnect backs off and the error is reported,
      // instead of re-opening at once, possibly thousands of times a second.
      const cause = await this.conn.closed;
      this.drop(cause ?? new ConnectionError("connection closed by the server"));
    }
    this.conn?.destroy();
    this.conn = undefined;
    for (;;) {
      if (this.failures > 0) {
        const delay = host.reconnect(this.failures, this.lastError);
        if (delay === null) throw this.lastError;
        try {
          await host.stop.sleep(delay);
        } catch {
          return undefined;
        }
      }
      if (host.stop.aborted && host.pending.size === 0) return undefined;
      try {
        this.conn = await host.connect();
        if (this.failures > 0)
          host.logger.info(`slot ${this.index}: reconnected`, { slot: this.index, attempts: this.failures });
        return this.conn;
      } catch (err) {
        if (isIrrecoverable(err)) throw err;
        this.failures++;
        this.lastError = err instanceof Error ? err : new Error(String(err));
        host.logger.debug(`slot ${this.index}: connect failed: ${(err as Error).message}`, {
          slot: this.index,
          attempt: this.failures,
        });
      }
    }
  }
}

/** `ACK` or `FAIL`, from a result line. */
function resultKind(line: string): "ACK" | "FAIL" {
  return line.startsWith("ACK") ? "ACK" : "FAIL";
}

/** The job a FETCH brought, or `undefined` (none, or its reply was lost). */
async function salvageFetch(fetched: Promise<Reply>): Promise<Job<readonly unknown[]> | undefined> {
  try {
    return parseJsonReply<Job<readonly unknown[]>>(await fetched, "FETCH") ?? undefined;
  } catch {
    return undefined;
  }
}
