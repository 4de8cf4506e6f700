/**
 * Entry of the `faktory-ts` command (bin/faktory-ts.js → dist/cli.js).
 * @module
 */
import { type CliIO, EXIT_OK, EXIT_USAGE, processIO } from "./common.js";
import { runFlushCommand } from "./flush.js";
import { runInfoCommand } from "./info.js";
import { runLoadCommand } from "./load.js";
import { runMutateCommand } from "./mutate.js";
import { runPushCommand } from "./push.js";
import { runQueuesCommand } from "./queues.js";
import { runServerCommand } from "./server-command.js";
import { runWatchCommand } from "./watch.js";

/** Top-level usage text. */
export const USAGE = `Usage: faktory-ts <command> [options]

Commands:
  server    run an embedded Faktory-compatible server
  info      the server's state: version, counters, sets, queues
  push      push one job and print its jid
  queues    list queues (size, latency); pause, resume or remove them
  mutate    requeue, discard, kill or clear jobs of the retry, scheduled or dead set
  flush     delete everything on the server (asks first)
  watch     a live view of queues and throughput, like top
  load      Faktory's load test: push, fetch and ACK many jobs, check none was lost

Every command but server talks to any Faktory (embedded or real) at --url, else the URL named
by FAKTORY_PROVIDER / FAKTORY_URL, else tcp://localhost:7419. See: faktory-ts <command> --help

Exit codes: 0 ok, 1 server or runtime error, 2 usage error.
Colour is used only when stdout is a terminal and NO_COLOR is unset.

Options:
  -h, --help    show this help
`;

const COMMANDS: Record<string, (argv: string[], io: CliIO) => Promise<number>> = {
  info: runInfoCommand,
  push: runPushCommand,
  queues: runQueuesCommand,
  mutate: runMutateCommand,
  flush: runFlushCommand,
  watch: runWatchCommand,
  load: runLoadCommand,
};

/** Runs the command line `argv` (without node and the script). Returns the process exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (command === "server") return runServerCommand(rest);
  const run = command === undefined ? undefined : COMMANDS[command];
  if (run !== undefined) return run(rest, io);
  io.stderr(command === undefined ? USAGE : `faktory-ts: unknown command ${command}\n\n${USAGE}`);
  return EXIT_USAGE;
}
