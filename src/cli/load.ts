/**
 * `faktory-ts load`: Faktory's load-test mix against any server, with progress and a summary.
 * @module
 */
import { randomBytes } from "node:crypto";
import { Client } from "../client/index.js";
import {
  type CliIO,
  COMMON_OPTIONS,
  COMMON_USAGE,
  EXIT_FAILURE,
  EXIT_OK,
  integerOption,
  paint,
  parseCommandArgs,
  processIO,
  runCommand,
  stringOption,
  table,
  UsageError,
  writeJson,
} from "./common.js";
import { type LoadProgress, type LoadSummary, runLoad } from "./load-run.js";

/** Usage text of `faktory-ts load`. */
export const LOAD_USAGE = `Usage: faktory-ts load [options]

Faktory's load test (its test/load tool's mix): half the connections push SomeJob [1,"string",3]
to random queues, the other half FETCH from all of them and ACK (FAIL one job in 100), one
command at a time each. Checks that every job pushed was fetched exactly once, then discards the
failed jobs' retries and removes its queues. Exits 1 if a job was lost or fetched twice.

Options:
  -n, --jobs <n>          jobs to push (default 30000)
  -c, --connections <n>   connections, half pushing and half fetching (default 10, at least 2)
  --queues <n>            number of queues (default 5)
  --queue <prefix>        queue name prefix (default load-<random>-; queues must be empty)
  --seed <n>              seed of the queue and failure choices (default 420)
  --json                  print the summary as JSON (no progress output)
${COMMON_USAGE}`;

/** Runs `faktory-ts load` with the arguments after `load`; resolves with the exit code. */
export function runLoadCommand(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runCommand("load", io, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      ...COMMON_OPTIONS,
      jobs: { type: "string", short: "n" },
      connections: { type: "string", short: "c" },
      queues: { type: "string" },
      queue: { type: "string" },
      seed: { type: "string" },
    });
    if (values.help === true) {
      io.stdout(LOAD_USAGE);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const url = stringOption(values, "url");
    const jobs = integerOption(values, "jobs", 1) ?? 30_000;
    const connections = integerOption(values, "connections", 2) ?? 10;
    const queues = integerOption(values, "queues", 1) ?? 5;
    const seed = integerOption(values, "seed", 0) ?? 420;
    const prefix = stringOption(values, "queue") ?? `load-${randomBytes(3).toString("hex")}-`;
    if (!/^[a-zA-Z0-9._-]+$/.test(prefix))
      throw new UsageError(`bad --queue prefix ${JSON.stringify(prefix)}`);

    const stop = new AbortController();
    const removeInterrupt = io.onInterrupt(() => stop.abort());
    const progress: LoadProgress = { pushed: 0, fetched: 0 };
    const display = values.json === true ? undefined : startProgress(io, progress, jobs);
    let summary: LoadSummary;
    try {
      summary = await runLoad(
        {
          url,
          env: io.env,
          jobs,
          connections,
          queues,
          prefix,
          seed,
          connect: () => Client.connect({ ...(url === undefined ? {} : { url }), env: io.env }),
        },
        progress,
        stop.signal,
      );
    } finally {
      removeInterrupt();
      display?.stop();
    }
    if (values.json === true) writeJson(io, summary);
    else io.stdout(formatSummary(summary, io));
    return summary.interrupted || summary.lost > 0 || summary.duplicates > 0 ? EXIT_FAILURE : EXIT_OK;
  });
}

/** Redraws a progress bar on a terminal (every 100 ms) or prints a line every 5 s otherwise. */
function startProgress(io: CliIO, progress: LoadProgress, total: number): { stop: () => void } {
  const p = paint(io);
  const started = performance.now();
  const line = (): string => {
    const s = (performance.now() - started) / 1000;
    return `pushed ${progress.pushed}/${total}, fetched ${progress.fetched}/${total}, ${s.toFixed(1)} s`;
  };
  const draw = (): void => {
    if (!io.stdoutIsTTY) {
      io.stderr(`${line()}\n`);
      return;
    }
    const width = 30;
    const done = Math.round((progress.fetched / total) * width);
    io.stderr(`\r${p.green("█".repeat(done))}${p.dim("░".repeat(width - done))} ${line()}`);
  };
  const timer = setInterval(draw, io.stdoutIsTTY ? 100 : 5000);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      if (io.stdoutIsTTY) io.stderr("\r\u001b[2K");
    },
  };
}

/** The human-readable summary. */
export function formatSummary(s: LoadSummary, io: CliIO): string {
  const p = paint(io);
  const ms = (l: { p50: number; p90: number; p99: number; max: number }): string[] =>
    [l.p50, l.p90, l.p99, l.max].map((n) => n.toFixed(2));
  const verdict = s.interrupted
    ? p.yellow("interrupted")
    : s.lost > 0 || s.duplicates > 0
      ? p.red(`${s.lost} lost, ${s.duplicates} fetched twice`)
      : p.green("every job fetched exactly once");
  return [
    `${p.bold("load")}: ${verdict}`,
    `pushed ${s.pushed}, fetched ${s.fetched}, acked ${s.acked}, failed ${s.failed}, retried ${s.retried}, lost ${s.lost}, duplicates ${s.duplicates}`,
    `push: ${s.pushRate} jobs/s (${s.pushSeconds} s); whole cycle: ${s.rate} jobs/s (${s.seconds} s)`,
    "",
    table([
      ["latency (ms)", "p50", "p90", "p99", "max"],
      ["push", ...ms(s.latencyMs.push)],
      ["fetch", ...ms(s.latencyMs.fetch)],
      ["ack/fail", ...ms(s.latencyMs.ack)],
    ]).trimEnd(),
    "",
  ].join("\n");
}
