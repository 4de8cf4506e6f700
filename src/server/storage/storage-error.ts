/**
 * The typed error of the durable storage: every failure to open or use a data folder is a
 * {@link StorageError} with a {@link StorageErrorCode} a caller can branch on.
 * @module
 */

/**
 * Why durable storage failed:
 * - `DRIVER_MISSING`: the optional `better-sqlite3` package is not installed (or did not build).
 * - `LOCKED`: another server already uses this data folder.
 * - `NEWER_SCHEMA`: the data folder was written by a newer faktory-ts.
 * - `CORRUPT`: the database file is not a database, or is damaged.
 * - `IO`: the folder or file cannot be read or written (permissions, full disk, read-only).
 */
export type StorageErrorCode = "DRIVER_MISSING" | "LOCKED" | "NEWER_SCHEMA" | "CORRUPT" | "IO";

/** A failure of the durable storage, with a machine-readable {@link StorageErrorCode}. */
export class StorageError extends Error {
  /** What went wrong, for programs. */
  readonly code: StorageErrorCode;

  /** Creates a storage error; `cause` is the driver's original error, if any. */
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StorageError";
    this.code = code;
  }
}

/** What to do when the driver is missing or its native module cannot be loaded. */
const DRIVER_HINT =
  'run "npm install better-sqlite3@12" (it compiles a native module), or run the server in memory (--memory)';

/** The DRIVER_MISSING error: better-sqlite3 is absent or unusable, for the reason given. */
export function driverMissingError(reason: string, cause: unknown): StorageError {
  const text = cause instanceof Error ? cause.message : String(cause);
  return new StorageError(
    "DRIVER_MISSING",
    `durable storage needs the optional package "better-sqlite3" (12.x), ${reason}: ${DRIVER_HINT}. Cause: ${text}`,
    { cause },
  );
}

/**
 * Whether an error thrown when opening a database says that better-sqlite3's native module could
 * not be loaded: never built (its install script did not run) or built for another Node.js.
 * better-sqlite3 loads it on the first `new Database`, not when the package is imported.
 */
function isNativeModuleFailure(code: string, text: string): boolean {
  return code === "ERR_DLOPEN_FAILED" || /Could not locate the bindings file|NODE_MODULE_VERSION/.test(text);
}

/** Maps a better-sqlite3 error (which carries SQLite's result code) to a {@link StorageError}. */
export function toStorageError(err: unknown, file: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = typeof err === "object" && err !== null ? String((err as { code?: unknown }).code ?? "") : "";
  const text = err instanceof Error ? err.message : String(err);
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
    return new StorageError(
      "LOCKED",
      `the data folder is in use by another faktory-ts server (${file} is locked); stop it or choose another --data-dir`,
      { cause: err },
    );
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB"))
    return new StorageError("CORRUPT", `the database ${file} is damaged or not a database: ${text}`, {
      cause: err,
    });
  if (isNativeModuleFailure(code, text))
    return driverMissingError("whose native module could not be loaded", err);
  return new StorageError("IO", `cannot use the database ${file}: ${text}`, { cause: err });
}
