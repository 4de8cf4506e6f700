/**
 * What the client commands of `faktory-ts` share: their I/O (replaceable in tests), argument
 * parsing, exit codes, error lines, colour, and connecting a {@link Client}.
 * @module
 */
import { createInterface } from "node:readline";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { Client } from "../client/index.js";
import { ConfigurationError, ValidationError } from "../protocol/errors.js";

/** Exit codes of every command: success. */
export const EXIT_OK = 0;
/** Exit code: the server refused, could not be reached, or something failed at run time. */
export const EXIT_FAILURE = 1;
/** Exit code: bad arguments (unknown option, missing operand, malformed value). */
export const EXIT_USAGE = 2;

/** Where a command reads and writes; the defaults are the process's, tests inject their own. */
export interface CliIO {
  /** Normal output. */
  stdout: (text: string) => void;
  /** Errors and prompts. */
  stderr: (text: string) => void;
  /** Environment (FAKTORY_URL, FAKTORY_PROVIDER, NO_COLOR). */
  env: NodeJS.ProcessEnv;
  /** True when stdout is a terminal (colour, live views). */
  stdoutIsTTY: boolean;
  /** True when stdin is a terminal (confirmation prompts). */
  stdinIsTTY: boolean;
  /** Asks `question` on the terminal and resolves with the line typed. */
  prompt: (question: string) => Promise<string>;
  /** Calls `handler` on Ctrl-C (SIGINT); returns a function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
}

/** The process's own I/O. */
export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    prompt: (question) =>
      new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        rl.question(question, (answer) => {
          rl.close();
          resolve(answer);
        });
        rl.once("close", () => resolve(""));
      }),
    onInterrupt: (handler) => {
      process.on("SIGINT", handler);
      return () => process.off("SIGINT", handler);
    },
  };
}

/** I/O for a command, with `overrides` replacing the process's. */
export function cliIO(overrides: Partial<CliIO> = {}): CliIO {
  return { ...processIO(), ...overrides };
}

/** Bad arguments: reported as one line and exit code {@link EXIT_USAGE}. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Options every client command accepts. */
export const COMMON_OPTIONS = {
  url: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** The lines that close each client command's usage text. */
export const COMMON_USAGE = `  --url <url>           server URL (default: env FAKTORY_PROVIDER / FAKTORY_URL, else tcp://localhost:7419)
  -h, --help            show this help

Exit codes: 0 ok, 1 server or runtime error, 2 usage error.
`;

/** Parsed option values: strings, booleans, or absent. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parses `argv` with node:util parseArgs; a parse failure becomes a {@link UsageError}. */
export function parseCommandArgs(
  argv: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
): { values: OptionValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as OptionValues, positionals };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** The string value of option `name`, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/**
 * The integer value of option `name`, or `undefined` when it is absent. Anything but an integer
 * written in decimal digits (optionally negative), or one below `min`, is a {@link UsageError}.
 */
export function integerOption(values: OptionValues, name: string, min?: number): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || (min !== undefined && n < min))
    throw new UsageError(
      `--${name} must be an integer${min === undefined ? "" : ` >= ${min}`}, got ${JSON.stringify(text)}`,
    );
  return n;
}

/** Colours for terminal output: active only when stdout is a TTY and NO_COLOR is unset. */
export interface Paint {
  /** Bold text. */
  bold: (text: string) => string;
  /** Dim text. */
  dim: (text: string) => string;
  /** Green text. */
  green: (text: string) => string;
  /** Yellow text. */
  yellow: (text: string) => string;
  /** Red text. */
  red: (text: string) => string;
}

/** The {@link Paint} for `io`: ANSI colours on a terminal without NO_COLOR, plain text otherwise. */
export function paint(io: CliIO): Paint {
  const on = io.stdoutIsTTY && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "");
  const wrap =
    (open: number, close: number) =>
    (text: string): string =>
      on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    red: wrap(31, 39),
  };
}

/** Connects a client to `--url` (else the environment's URL), runs `fn`, closes the client. */
export async function withClient<T>(
  io: CliIO,
  url: string | undefined,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await Client.connect({ ...(url === undefined ? {} : { url }), env: io.env });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * Runs one command body and turns what it throws into one line on stderr and an exit code:
 * {@link UsageError}, ValidationError and ConfigurationError give 2 (with a hint to `--help`),
 * anything else 1.
 */
export async function runCommand(name: string, io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const line = message.split("\n")[0] ?? message;
    if (err instanceof UsageError || err instanceof ValidationError || err instanceof ConfigurationError) {
      io.stderr(`faktory-ts ${name}: ${line} (see: faktory-ts ${name} --help)\n`);
      return EXIT_USAGE;
    }
    io.stderr(`faktory-ts ${name}: ${line}\n`);
    return EXIT_FAILURE;
  }
}

/** Writes `value` as JSON (pretty, one document) followed by a newline. */
export function writeJson(io: CliIO, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Pads `cells` into aligned columns (the first left-aligned, the rest right-aligned). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, visible(cell).length);
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = " ".repeat((widths[i] ?? 0) - visible(cell).length);
          return i === 0 ? cell + pad : pad + cell;
        })
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

function visible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips our own ANSI colour codes
  return text.replace(/\u001b\[\d+m/g, "");
}
