/**
 * `faktory-ts/server`: an embedded server that speaks the Faktory 1.10 protocol, for tests,
 * development and small deployments.
 * @module
 */
export type { Clock, TimerHandle, TimeSources } from "./clock.js";
export { createMicrosecondTime, microsecondTime, systemClock } from "./clock.js";
export { FAKTORY_VERSION } from "./info.js";
export type { Logger, LogLevel } from "./logger.js";
export { createLineLogger, isLogLevel, silentLogger } from "./logger.js";
export type { FaktoryServer, ServerOptions, ServerTlsOptions, WorkerSignal } from "./options.js";
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_LINE_BYTES,
  startServer,
} from "./server.js";
export { MemoryStorage } from "./storage/memory.js";
export { DATABASE_FILE, type DurableStorageOptions, openStorage } from "./storage/open-storage.js";
export { SqliteStorage, type SqliteStorageOptions, type SynchronousMode } from "./storage/sqlite.js";
export type { SqliteDatabase, SqliteStatement } from "./storage/sqlite-statements.js";
export { StorageError, type StorageErrorCode } from "./storage/storage-error.js";
export type {
  QueuedJob,
  RecordStore,
  Reservation,
  SetName,
  SortedEntry,
  SortedSetStore,
  Storage,
} from "./storage/storage.js";
