/**
 * `faktory-ts mutate <requeue|discard|kill|clear> <retries|scheduled|dead>`.
 * @module
 */
import type { MutateCommand, MutateFilter, MutateTarget } from "../protocol/messages.js";
import {
  type CliIO,
  COMMON_OPTIONS,
  COMMON_USAGE,
  EXIT_OK,
  parseCommandArgs,
  processIO,
  runCommand,
  stringOption,
  UsageError,
  withClient,
  writeJson,
} from "./common.js";

/** Usage text of `faktory-ts mutate`. */
export const MUTATE_USAGE = `Usage: faktory-ts mutate <requeue|discard|kill|clear> <retries|scheduled|dead> [options]

Acts on the jobs of a set that match the filter (no filter: all of them).
  requeue   moves them back to their queues
  discard   deletes them
  kill      moves them to the dead set
  clear     empties the set (filters are not allowed)

Options:
  --jobtype <type>      only jobs of this type
  --jids <a,b,...>      only these job ids (comma-separated; wins over the other filters)
  --regexp <glob>       only jobs whose JSON matches this Redis glob, e.g. '*uid:42*'
  --json                print the operation sent as JSON
${COMMON_USAGE}`;

const COMMANDS: readonly MutateCommand[] = ["requeue", "discard", "kill", "clear"];
const TARGETS: readonly MutateTarget[] = ["retries", "scheduled", "dead"];

/** Runs `faktory-ts mutate` with the arguments after `mutate`; resolves with the exit code. */
export function runMutateCommand(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runCommand("mutate", io, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      ...COMMON_OPTIONS,
      jobtype: { type: "string" },
      jids: { type: "string" },
      regexp: { type: "string" },
    });
    if (values.help === true) {
      io.stdout(MUTATE_USAGE);
      return EXIT_OK;
    }
    const [cmd, target, ...extra] = positionals;
    if (cmd === undefined || !(COMMANDS as readonly string[]).includes(cmd))
      throw new UsageError(
        `the operation must be requeue, discard, kill or clear, got ${JSON.stringify(cmd ?? "")}`,
      );
    if (target === undefined || !(TARGETS as readonly string[]).includes(target))
      throw new UsageError(`the set must be retries, scheduled or dead, got ${JSON.stringify(target ?? "")}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    const filter: MutateFilter = {};
    const jobtype = stringOption(values, "jobtype");
    const jids = stringOption(values, "jids");
    const regexp = stringOption(values, "regexp");
    if (jobtype !== undefined) filter.jobtype = jobtype;
    if (regexp !== undefined) filter.regexp = regexp;
    if (jids !== undefined) {
      filter.jids = jids
        .split(",")
        .map((j) => j.trim())
        .filter((j) => j !== "");
      if (filter.jids.length === 0) throw new UsageError("--jids needs at least one job id");
    }
    const hasFilter = Object.keys(filter).length > 0;
    if (cmd === "clear" && hasFilter) throw new UsageError("clear empties the whole set: it takes no filter");
    const operation = {
      cmd: cmd as MutateCommand,
      target: target as MutateTarget,
      ...(hasFilter ? { filter } : {}),
    };
    await withClient(io, stringOption(values, "url"), (c) => c.mutate(operation));
    if (values.json === true) writeJson(io, operation);
    else io.stdout(`${cmd} ${target}${hasFilter ? ` where ${JSON.stringify(filter)}` : ""}: done\n`);
    return EXIT_OK;
  });
}
