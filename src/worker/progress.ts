/**
 * Progress reports from running jobs (`ctx.progress`, Faktory Enterprise `TRACK SET`), sent on
 * a connection of their own so that a slow server never blocks a job, its ACK or FETCH.
 * Reports never wait: while one is in flight, newer reports of the same job replace older
 * unsent ones (only the latest state matters). A report that cannot be sent is logged and
 * given to `onError` (the worker's `error` event), never dropped silently.
 * @module
 */
import type { WorkerLogger } from "./logger.js";
import type { Connector, WireConnection } from "./wire.js";

/** One progress report. */
export interface ProgressReport {
  /** Percent done, an integer 0..100. */
  percent: number;
  /** What the job is doing. */
  desc?: string;
}

/** Sends progress reports in the background. */
export class ProgressReporter {
  private conn: WireConnection | undefined;
  private readonly queued = new Map<string, ProgressReport>();
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly connect: Connector,
    private readonly logger: WorkerLogger,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Queues a report for `jid` (replacing an unsent one) and returns at once. */
  report(jid: string, report: ProgressReport): void {
    if (!Number.isInteger(report.percent) || report.percent < 0 || report.percent > 100)
      throw new RangeError(
        `progress percent must be an integer from 0 to 100, got ${String(report.percent)}`,
      );
    if (this.closed) {
      this.logger.warn("progress reported after the worker stopped: not sent", { jid });
      return;
    }
    this.queued.delete(jid); // re-insert at the end: reports go out in order of their last update
    this.queued.set(jid, report);
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  /** Reports queued or in flight. */
  get backlog(): number {
    return this.queued.size;
  }

  /** Sends what is queued, then closes the connection. */
  async close(): Promise<void> {
    await this.sending;
    this.closed = true;
    const conn = this.conn;
    this.conn = undefined;
    await conn?.end();
  }

  private async drain(): Promise<void> {
    for (const [jid, report] of this.queued) {
      this.queued.delete(jid);
      const body: Record<string, unknown> = { jid, percent: report.percent };
      if (report.desc !== undefined) body.desc = report.desc;
      try {
        if (this.conn === undefined || this.conn.state !== "ready") {
          this.conn?.destroy();
          this.conn = undefined;
          this.conn = await this.connect();
        }
        await this.conn.send(`TRACK SET ${JSON.stringify(body)}\r\n`);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.logger.warn(`progress of job ${jid} not sent: ${error.message}`, { jid });
        this.onError(error);
      }
    }
  }
}
