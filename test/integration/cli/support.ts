/** In-memory I/O for the CLI commands, so tests call them without spawning processes. */
import type { CliIO } from "../../../src/cli/common.js";

/** A {@link CliIO} that records what is written; not a terminal unless overridden. */
export function memoryIO(overrides: Partial<CliIO> = {}): {
  io: CliIO;
  out: () => string;
  err: () => string;
} {
  let out = "";
  let err = "";
  const io: CliIO = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: {},
    stdoutIsTTY: false,
    stdinIsTTY: false,
    prompt: async () => "",
    onInterrupt: () => () => {},
    ...overrides,
  };
  return { io, out: () => out, err: () => err };
}
