/**
 * `faktory-ts watch`: a live view of queues and throughput, refreshed like `top`.
 * @module
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  type CliIO,
  COMMON_OPTIONS,
  COMMON_USAGE,
  EXIT_OK,
  paint,
  parseCommandArgs,
  processIO,
  runCommand,
  stringOption,
  UsageError,
  withClient,
} from "./common.js";
import { formatDuration } from "./info.js";
import { formatQueues, listQueues, type QueueRow } from "./queues.js";

/** Usage text of `faktory-ts watch`. */
export const WATCH_USAGE = `Usage: faktory-ts watch [options]

Shows the queues (size, latency), the set sizes and the throughput (jobs processed and failed
per second), refreshed every interval, until Ctrl-C. On a terminal the screen is redrawn;
otherwise each refresh is printed after the previous one.

Options:
  --interval <s>        seconds between refreshes (default 2)
  --count <n>           stop after n refreshes (default: until Ctrl-C)
  --json                one JSON document per refresh, one per line
${COMMON_USAGE}`;

/** Clock and sleep of `watch` (replaceable in tests). */
export interface WatchTiming {
  /** Current time in ms. */
  now: () => number;
  /** Waits `ms`, or rejects/resolves early when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

const realTiming: WatchTiming = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal, ref: true }).catch(() => undefined),
};

/** One refresh of `faktory-ts watch`. */
export interface WatchFrame {
  /** Server time (RFC 3339). */
  now: string;
  /** Seconds the server has been up. */
  uptime: number;
  /** Jobs processed per second since the previous refresh (undefined on the first). */
  processedPerSecond: number | undefined;
  /** Jobs failed per second since the previous refresh (undefined on the first). */
  failedPerSecond: number | undefined;
  /** Totals since the data set began. */
  totals: { processed: number; failed: number; enqueued: number };
  /** Set sizes. */
  sets: { scheduled: number; retries: number; dead: number; working: number };
  /** The queues. */
  queues: QueueRow[];
}

/** Runs `faktory-ts watch` with the arguments after `watch`; resolves with the exit code. */
export function runWatchCommand(
  argv: string[],
  io: CliIO = processIO(),
  timing: WatchTiming = realTiming,
): Promise<number> {
  return runCommand("watch", io, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      ...COMMON_OPTIONS,
      interval: { type: "string" },
      count: { type: "string" },
    });
    if (values.help === true) {
      io.stdout(WATCH_USAGE);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const intervalText = stringOption(values, "interval") ?? "2";
    const interval = Number(intervalText);
    if (!/^\d+(\.\d+)?$/.test(intervalText) || interval <= 0)
      throw new UsageError(
        `--interval must be a positive number of seconds, got ${JSON.stringify(intervalText)}`,
      );
    const countText = stringOption(values, "count");
    if (countText !== undefined && !/^[1-9]\d*$/.test(countText))
      throw new UsageError(`--count must be a positive integer, got ${JSON.stringify(countText)}`);
    const count = countText === undefined ? Number.POSITIVE_INFINITY : Number(countText);

    const stop = new AbortController();
    const off = io.onInterrupt(() => stop.abort());
    const live = io.stdoutIsTTY && values.json !== true;
    try {
      await withClient(io, stringOption(values, "url"), async (client) => {
        let previous: { at: number; processed: number; failed: number } | undefined;
        for (let i = 0; i < count && !stop.signal.aborted; i++) {
          if (i > 0) await timing.sleep(interval * 1000, stop.signal);
          if (stop.signal.aborted) break;
          const [info, queues] = await Promise.all([client.info(), listQueues(client)]);
          const at = timing.now();
          const f = info.faktory;
          const rate = (now: number, before: number | undefined): number | undefined =>
            previous === undefined || before === undefined || at <= previous.at
              ? undefined
              : Math.max(0, ((now - before) * 1000) / (at - previous.at));
          const frame: WatchFrame = {
            now: info.now,
            uptime: info.server.uptime,
            processedPerSecond: rate(f.total_processed, previous?.processed),
            failedPerSecond: rate(f.total_failures, previous?.failed),
            totals: { processed: f.total_processed, failed: f.total_failures, enqueued: f.total_enqueued },
            sets: { ...f.sets },
            queues,
          };
          previous = { at, processed: f.total_processed, failed: f.total_failures };
          if (values.json === true) io.stdout(`${JSON.stringify(frame)}\n`);
          else io.stdout((live ? "\u001b[H\u001b[2J" : i > 0 ? "\n" : "") + formatFrame(frame, io, interval));
        }
      });
    } finally {
      off();
    }
    return EXIT_OK;
  });
}

/** Renders one refresh as text. */
export function formatFrame(frame: WatchFrame, io: CliIO, interval: number): string {
  const p = paint(io);
  const perSecond = (n: number | undefined): string => (n === undefined ? "-" : n.toFixed(1));
  const failed = perSecond(frame.failedPerSecond);
  return [
    `${p.bold("faktory-ts watch")}  ${frame.now}  up ${formatDuration(frame.uptime)}  every ${interval}s  ${p.dim("(Ctrl-C to quit)")}`,
    `throughput: ${p.green(perSecond(frame.processedPerSecond))} processed/s  ${frame.failedPerSecond ? p.red(failed) : failed} failed/s`,
    `totals: processed ${frame.totals.processed}  failed ${frame.totals.failed}  enqueued ${frame.totals.enqueued}`,
    `sets: scheduled ${frame.sets.scheduled}  retries ${frame.sets.retries}  dead ${frame.sets.dead}  working ${frame.sets.working}`,
    "",
    formatQueues(frame.queues, io),
  ].join("\n");
}
