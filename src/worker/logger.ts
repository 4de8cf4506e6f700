/**
 * The worker's pluggable logger. Any object with `debug`, `info`, `warn` and `error` methods
 * (console, pino, winston...) fits; the worker is silent unless you pass one.
 * @module
 */

/**
 * Structured fields attached to a log line.
 * @example
 * ```ts
 * logger.info("job done", { jid: "abc", ms: 12 });
 * ```
 */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What the worker logs to. Each method takes a message and optional structured fields.
 *
 * @example
 * ```ts
 * const worker = new Worker({ logger: console });                 // console works as is
 * const worker2 = new Worker({ logger: consoleWorkerLogger("info") }); // leveled, one line each
 * ```
 */
export interface WorkerLogger {
  /** Details: every reconnect attempt, re-delivered results. */
  debug(message: string, fields?: LogFields): void;
  /** Life-cycle: started, quiet, stopping, stopped. */
  info(message: string, fields?: LogFields): void;
  /** Something went wrong and the worker recovered (lost connection, refused result). */
  warn(message: string, fields?: LogFields): void;
  /** Something went wrong and was not recovered (a result that could not be delivered). */
  error(message: string, fields?: LogFields): void;
}

/**
 * Levels of {@link consoleWorkerLogger}, least to most severe.
 * @example
 * ```ts
 * consoleWorkerLogger("warn");
 * ```
 */
export type WorkerLogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<WorkerLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A logger that drops everything (the default).
 * @example
 * ```ts
 * new Worker({ logger: silentWorkerLogger });
 * ```
 */
export const silentWorkerLogger: WorkerLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/**
 * A logger writing one line per message to stderr (`console.error`), from `level` up.
 * @example
 * ```ts
 * const worker = new Worker({ logger: consoleWorkerLogger("debug") });
 * ```
 */
export function consoleWorkerLogger(level: WorkerLogLevel = "info"): WorkerLogger {
  const min = RANK[level];
  const make =
    (lvl: WorkerLogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (RANK[lvl] < min) return;
      const extra = fields === undefined || Object.keys(fields).length === 0 ? "" : ` ${safeJson(fields)}`;
      console.error(`${new Date().toISOString()} ${lvl.toUpperCase()} faktory-worker: ${message}${extra}`);
    };
  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
}

/**
 * A logger that adds `fields` to every line it passes on to `logger` (used for the per-job
 * logger handlers get in their context).
 * @example
 * ```ts
 * const log = loggerWithFields(console, { jid: "abc" });
 * log.info("working"); // console.info("working", { jid: "abc" })
 * ```
 */
export function loggerWithFields(logger: WorkerLogger, fields: LogFields): WorkerLogger {
  if (logger === silentWorkerLogger) return logger;
  const merge = (more?: LogFields): LogFields => (more === undefined ? fields : { ...fields, ...more });
  return {
    debug: (m, f) => logger.debug(m, merge(f)),
    info: (m, f) => logger.info(m, merge(f)),
    warn: (m, f) => logger.warn(m, merge(f)),
    error: (m, f) => logger.error(m, merge(f)),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message } : typeof v === "bigint" ? String(v) : v,
    );
  } catch {
    return "[unserializable fields]";
  }
}
