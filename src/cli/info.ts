/**
 * `faktory-ts info`: the server's state (INFO) as a readable summary, or the raw document.
 * @module
 */
import type { FaktoryInfo } from "../protocol/messages.js";
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
  table,
  UsageError,
  withClient,
  writeJson,
} from "./common.js";

/** Usage text of `faktory-ts info`. */
export const INFO_USAGE = `Usage: faktory-ts info [options]

Shows the server's version, uptime, connections, counters, set sizes and queues.

Options:
  --json                print the raw INFO document
${COMMON_USAGE}`;

/** Runs `faktory-ts info` with the arguments after `info`; resolves with the exit code. */
export function runInfoCommand(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runCommand("info", io, async () => {
    const { values, positionals } = parseCommandArgs(argv, COMMON_OPTIONS);
    if (values.help === true) {
      io.stdout(INFO_USAGE);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const info = await withClient(io, stringOption(values, "url"), (c) => c.info());
    if (values.json === true) writeJson(io, info);
    else io.stdout(formatInfo(info, io));
    return EXIT_OK;
  });
}

/** Formats an INFO document as the readable summary of `faktory-ts info`. */
export function formatInfo(info: FaktoryInfo, io: CliIO): string {
  const p = paint(io);
  const f = info.faktory;
  const s = info.server;
  const lines = [
    `${p.bold(s.description)} ${s.faktory_version}  up ${formatDuration(s.uptime)}  ${s.connections} connections  ${s.used_memory_mb} MB`,
    `processed ${f.total_processed}  failed ${f.total_failures}  enqueued ${f.total_enqueued}  queues ${f.total_queues}`,
    `sets: scheduled ${f.sets.scheduled}  retries ${f.sets.retries}  dead ${f.sets.dead}  working ${f.sets.working}`,
  ];
  const names = Object.keys(f.queues).sort();
  const queues =
    names.length === 0
      ? `${p.dim("no queues")}\n`
      : table([[p.bold("QUEUE"), p.bold("SIZE")], ...names.map((q) => [q, String(f.queues[q])])]);
  return `${lines.join("\n")}\n\n${queues}`;
}

/** `93784` → `1d 2h 3m 4s`. */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.floor(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
  ] as const) {
    if (rest >= size || parts.length > 0) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  parts.push(`${rest}s`);
  return parts.join(" ");
}
