/**
 * Opens the durable storage of a data folder, loading the optional `better-sqlite3` driver only
 * then, so that a server in memory mode (and every client or worker) never loads it.
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SqliteStorage, type SynchronousMode } from "./sqlite.js";
import type { SqliteDriver } from "./sqlite-statements.js";
import { driverMissingError, toStorageError } from "./storage-error.js";

/** Where and how to keep the server's state on disk. */
export interface DurableStorageOptions {
  /** The data folder (created if missing); the database is `faktory.sqlite3` in it. */
  path: string;
  /**
   * `"normal"` (default) survives a crash of the process, including `kill -9`; `"full"` also
   * survives power loss and OS crashes, at the price of an fsync per commit.
   */
  synchronous?: SynchronousMode;
}

/** Name of the database file inside a data folder. */
export const DATABASE_FILE = "faktory.sqlite3";

let driver: Promise<SqliteDriver> | undefined;

async function loadDriver(): Promise<SqliteDriver> {
  try {
    const mod = (await import("better-sqlite3")) as { default: SqliteDriver };
    return mod.default;
  } catch (err) {
    throw driverMissingError("which is not installed or did not build", err);
  }
}

/**
 * Opens (creating if needed) the database of a data folder. Rejects with a `StorageError`:
 * `DRIVER_MISSING`, `LOCKED` (another server uses the folder), `NEWER_SCHEMA`, `CORRUPT` or `IO`.
 */
export async function openStorage(options: DurableStorageOptions): Promise<SqliteStorage> {
  driver ??= loadDriver();
  let Database: SqliteDriver;
  try {
    Database = await driver;
  } catch (err) {
    driver = undefined;
    throw err;
  }
  const file = join(options.path, DATABASE_FILE);
  let db: ReturnType<typeof openFile>;
  try {
    mkdirSync(options.path, { recursive: true });
    db = openFile(Database, file);
  } catch (err) {
    throw toStorageError(err, file);
  }
  return new SqliteStorage(
    db,
    file,
    options.synchronous === undefined ? {} : { synchronous: options.synchronous },
  );
}

function openFile(Database: SqliteDriver, file: string) {
  return new Database(file, { timeout: 0 });
}
