/**
 * Entry of the `faktory-ts` command (bin/faktory-ts.js → dist/cli.js).
 * @module
 */
import { runServerCommand } from "./server-command.js";

/** Top-level usage text. */
export const USAGE = `Usage: faktory-ts <command> [options]

Commands:
  server    run an embedded Faktory-compatible server (see: faktory-ts server --help)

Options:
  -h, --help    show this help
`;

/** Runs the command line `argv` (without node and the script). Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === "server") return runServerCommand(rest);
  process.stderr.write(command === undefined ? USAGE : `faktory-ts: unknown command ${command}\n\n${USAGE}`);
  return 2;
}
