/**
 * Pluggable logging for the server: four levels, silent by default.
 * @module
 */

/** Log levels, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Where the server sends its log lines. */
export interface Logger {
  /** Something failed. */
  error(message: string): void;
  /** Something looks wrong. */
  warn(message: string): void;
  /** Normal operation. */
  info(message: string): void;
  /** Details for debugging. */
  debug(message: string): void;
}

/** A logger that drops everything (the default of {@link startServer}). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
};

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Whether `text` names a log level. */
export function isLogLevel(text: string): text is LogLevel {
  return Object.hasOwn(RANK, text);
}

/**
 * A logger writing `<ISO time> <LEVEL> <message>` lines through `write` (e.g. to stderr),
 * keeping only messages at `level` or more severe.
 */
export function createLineLogger(level: LogLevel, write: (line: string) => void): Logger {
  const max = RANK[level];
  const at =
    (lvl: LogLevel) =>
    (message: string): void => {
      if (RANK[lvl] <= max) write(`${new Date().toISOString()} ${lvl.toUpperCase()} ${message}\n`);
    };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
