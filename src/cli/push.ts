/**
 * `faktory-ts push <jobtype> [args as JSON]`: pushes one job and prints its jid.
 * @module
 */
import type { JobOptions } from "../client/index.js";
import { parseTimestamp } from "../protocol/time.js";
import {
  type CliIO,
  COMMON_OPTIONS,
  COMMON_USAGE,
  EXIT_OK,
  integerOption,
  type OptionValues,
  parseCommandArgs,
  processIO,
  runCommand,
  stringOption,
  UsageError,
  withClient,
  writeJson,
} from "./common.js";

/** Usage text of `faktory-ts push`. */
export const PUSH_USAGE = `Usage: faktory-ts push <jobtype> [args] [options]

Pushes one job and prints its jid. args is a JSON array (e.g. '[1,"two"]'); a single JSON
value that is not an array becomes the only argument; absent means no arguments.

Options:
  --queue <name>        queue (default "default")
  --at <when>           run later: an RFC 3339 time, or a delay such as 90s, 5m, 2h, 1d
  --retry <n>           retries on failure (-1 = straight to the dead set, default 25)
  --reserve-for <s>     seconds a worker may hold the job (default 1800)
  --custom <json>       the job's custom hash, a JSON object
  --json                print {"jid": ...} and the job as pushed
${COMMON_USAGE}`;

const PUSH_OPTIONS = {
  ...COMMON_OPTIONS,
  queue: { type: "string" },
  at: { type: "string" },
  retry: { type: "string" },
  "reserve-for": { type: "string" },
  custom: { type: "string" },
} as const;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Runs `faktory-ts push` with the arguments after `push`; resolves with the exit code. */
export function runPushCommand(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runCommand("push", io, async () => {
    const { values, positionals } = parseCommandArgs(argv, PUSH_OPTIONS);
    if (values.help === true) {
      io.stdout(PUSH_USAGE);
      return EXIT_OK;
    }
    const [jobtype, argsText, ...extra] = positionals;
    if (jobtype === undefined || jobtype === "") throw new UsageError("missing <jobtype>");
    if (extra.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])} (give args as one JSON array)`);
    const args = argsText === undefined ? [] : parseArgsJson(argsText);
    const options = jobOptions(values);
    const jid = await withClient(io, stringOption(values, "url"), (c) => c.push(jobtype, args, options));
    if (values.json === true) writeJson(io, { jid, jobtype, args, ...options });
    else io.stdout(`${jid}\n`);
    return EXIT_OK;
  });
}

function parseArgsJson(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`args must be JSON, got ${JSON.stringify(text)}`);
  }
  return Array.isArray(value) ? value : [value];
}

function jobOptions(values: OptionValues): JobOptions {
  const options: JobOptions = {};
  const queue = values.queue;
  if (typeof queue === "string") options.queue = queue;
  const retry = integerOption(values, "retry");
  if (retry !== undefined) options.retry = retry;
  const reserveFor = integerOption(values, "reserve-for");
  if (reserveFor !== undefined) options.reserveFor = reserveFor;
  if (typeof values.at === "string") options.at = parseWhen(values.at);
  if (typeof values.custom === "string") {
    let custom: unknown;
    try {
      custom = JSON.parse(values.custom);
    } catch {
      throw new UsageError(`--custom must be a JSON object, got ${JSON.stringify(values.custom)}`);
    }
    if (custom === null || typeof custom !== "object" || Array.isArray(custom))
      throw new UsageError(`--custom must be a JSON object, got ${JSON.stringify(values.custom)}`);
    options.custom = custom as Record<string, unknown>;
  }
  return options;
}

/** `--at`: an RFC 3339 time (sent as given) or a delay such as `90s`, `5m`, `2h`, `1d`, `500ms`. */
export function parseWhen(text: string): JobOptions["at"] {
  const delay = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (delay !== null) return { in: Number(delay[1]) * (UNITS[delay[2] ?? "s"] ?? 1000) };
  if (parseTimestamp(text) !== undefined) return text;
  throw new UsageError(
    `--at must be an RFC 3339 time or a delay such as 90s, 5m, 2h, got ${JSON.stringify(text)}`,
  );
}
