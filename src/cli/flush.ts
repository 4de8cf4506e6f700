/**
 * `faktory-ts flush`: deletes everything on the server, after a confirmation.
 * @module
 */
import { resolveServerUrl } from "../protocol/url.js";
import {
  type CliIO,
  COMMON_OPTIONS,
  COMMON_USAGE,
  EXIT_FAILURE,
  EXIT_OK,
  parseCommandArgs,
  processIO,
  runCommand,
  stringOption,
  UsageError,
  withClient,
  writeJson,
} from "./common.js";

/** Usage text of `faktory-ts flush`. */
export const FLUSH_USAGE = `Usage: faktory-ts flush [options]

Deletes EVERYTHING on the server: queues, jobs, the retry, scheduled and dead sets, counters.
On a terminal it asks for confirmation; when stdin is not a terminal it refuses without --yes.

Options:
  -y, --yes             do not ask
  --json                print {"flushed": true}
${COMMON_USAGE}`;

/** Runs `faktory-ts flush` with the arguments after `flush`; resolves with the exit code. */
export function runFlushCommand(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runCommand("flush", io, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      ...COMMON_OPTIONS,
      yes: { type: "boolean", short: "y" },
    });
    if (values.help === true) {
      io.stdout(FLUSH_USAGE);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const url = stringOption(values, "url");
    if (values.yes !== true) {
      if (!io.stdinIsTTY)
        throw new UsageError("refusing to flush without --yes when stdin is not a terminal");
      const shown = (url ?? resolveServerUrl(io.env)).replace(/\/\/[^@/]*@/, "//***@");
      const answer = await io.prompt(
        `Delete ALL queues, jobs, sets and counters on ${shown}? Type "yes" to confirm: `,
      );
      if (answer.trim().toLowerCase() !== "yes") {
        io.stderr("faktory-ts flush: not confirmed, nothing deleted\n");
        return EXIT_FAILURE;
      }
    }
    await withClient(io, url, (c) => c.flush());
    if (values.json === true) writeJson(io, { flushed: true });
    else io.stdout("flushed\n");
    return EXIT_OK;
  });
}
