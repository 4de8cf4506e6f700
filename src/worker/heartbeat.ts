/**
 * The worker's heartbeat: its own connection (same wid) sending `BEAT` with the worker's state
 * and resident memory at a steady interval, and passing the server's `quiet` / `terminate`
 * back to the worker.
 * @module
 */
import { exponentialBackoff, type RetryStrategy } from "../connection/retry.js";
import { beatCommand, parseBeatReply } from "../protocol/commands.js";
import { ServerError } from "../protocol/errors.js";
import type { WorkerState } from "../protocol/messages.js";
import type { WorkerLogger } from "./logger.js";
import type { Connector, WireConnection } from "./wire.js";

/** Settings of a {@link Heartbeat}. */
export interface HeartbeatOptions {
  /** The worker's id. */
  wid: string;
  /** Time between two BEATs, in ms. */
  intervalMs: number;
  /** Opens a connection that said HELLO with the worker's identity. */
  connect: Connector;
  /** The state to report in each BEAT. */
  state: () => WorkerState;
  /** Called with each answer (`running`, `quiet` or `terminate`). */
  onReply: (state: WorkerState, rssKb: number) => void;
  /** Called when a BEAT fails (the heartbeat carries on). */
  onError: (error: Error) => void;
  logger: WorkerLogger;
  /** Resident memory in KiB (default from `process.memoryUsage.rss()`). */
  rssKb?: () => number;
  /** Delay before retrying after a failed BEAT (default: jittered backoff up to the interval). */
  retry?: RetryStrategy;
}

/**
 * Resident set size of this process, in KiB (what BEAT reports as `rss_kb`).
 * @example
 * ```ts
 * currentRssKb(); // 51234
 * ```
 */
export function currentRssKb(): number {
  return Math.round(process.memoryUsage.rss() / 1024);
}

/**
 * Sends BEAT every `intervalMs` (the first one at once) on a dedicated connection. A lost
 * connection is re-opened on the next beat; `ERR unknown worker` (the server forgot this worker,
 * e.g. after a restart or a long pause) re-opens it at once, which says HELLO and registers the
 * worker again. The timer is `unref()`'d: it never keeps the process alive by itself.
 *
 * @example
 * ```ts
 * const hb = new Heartbeat({ wid, intervalMs: 15_000, connect, state: () => "running",
 *   onReply: (s) => s !== "running" && react(s), onError: console.warn, logger: console });
 * hb.start();
 * await hb.stop();
 * ```
 */
export class Heartbeat {
  private conn: WireConnection | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly retry: RetryStrategy;

  constructor(private readonly options: HeartbeatOptions) {
    this.retry =
      options.retry ??
      exponentialBackoff({
        baseMs: Math.min(250, options.intervalMs),
        maxMs: options.intervalMs,
        maxAttempts: Number.POSITIVE_INFINITY,
      });
  }

  /** Sends the first BEAT now and schedules the next ones. */
  start(): void {
    if (this.timer !== undefined || this.inFlight !== undefined || this.stopped) return;
    this.tick();
  }

  /** Sends a BEAT now (unless one is in flight) and resolves when it is answered or failed. */
  beatNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.inFlight !== undefined) return this.inFlight;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.tick();
    return this.inFlight ?? Promise.resolve();
  }

  /** Stops beating: no new BEAT, waits for the one in flight, closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    const conn = this.conn;
    this.conn = undefined;
    await conn?.end();
  }

  private tick(): void {
    this.timer = undefined;
    this.inFlight = this.beat().then((delay) => {
      this.inFlight = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), delay);
      this.timer.unref();
    });
  }

  /** One BEAT; resolves with the delay until the next one. Never rejects. */
  private async beat(): Promise<number> {
    const { options } = this;
    try {
      if (this.conn === undefined || this.conn.state !== "ready") {
        this.conn?.destroy();
        this.conn = undefined;
        this.conn = await options.connect();
      }
      const rssKb = (options.rssKb ?? currentRssKb)();
      const reply = await this.conn.send(
        beatCommand({ wid: options.wid, current_state: options.state(), rss_kb: rssKb }),
      );
      const state = parseBeatReply(reply);
      this.failures = 0;
      options.onReply(state, rssKb);
      return options.intervalMs;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.conn?.destroy();
      this.conn = undefined;
      this.failures++;
      options.onError(error);
      if (err instanceof ServerError && /unknown worker/i.test(err.serverMessage)) {
        options.logger.info("the server forgot this worker; saying HELLO again", { wid: options.wid });
        // A fresh connection says HELLO, which registers the worker again: beat again at once
        // (only once in a row, then back off).
        if (this.failures === 1) return 0;
      } else options.logger.warn(`heartbeat failed: ${error.message}`, { wid: options.wid });
      return Math.min(options.intervalMs, this.retry(this.failures, error) ?? options.intervalMs);
    }
  }
}
