/**
 * The SQLite schema of the durable storage and its migrations. The `meta` table holds the
 * schema version; opening a database of a newer version is refused with `NEWER_SCHEMA`.
 * @module
 */
import type { SqliteDatabase } from "./sqlite-statements.js";
import { StorageError } from "./storage-error.js";

/** The schema version this code writes. */
export const SCHEMA_VERSION = 1;

/**
 * Migrations: entry `i` moves a database from version `i` to `i + 1`. Add a new entry (never
 * edit an old one) when the schema changes, and bump {@link SCHEMA_VERSION}.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE queues (name TEXT PRIMARY KEY, paused INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    jid TEXT NOT NULL,
    payload TEXT NOT NULL,
    reserve_for INTEGER NOT NULL
  );
  CREATE INDEX jobs_by_queue ON jobs (queue, id);
  CREATE TABLE sorted (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    score NUMERIC NOT NULL,
    jid TEXT NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE INDEX sorted_by_score ON sorted (name, score, id);
  CREATE TABLE reservations (
    jid TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    wid TEXT NOT NULL,
    reserved_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX reservations_by_expiry ON reservations (expires_at, jid);
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE records (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
  ) WITHOUT ROWID;
  `,
];

/**
 * Brings the database to {@link SCHEMA_VERSION} in one transaction. Throws `NEWER_SCHEMA` for a
 * database written by a newer version.
 */
export function migrate(db: SqliteDatabase, file: string): void {
  db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  const version = row === undefined ? 0 : Number(row.value);
  if (!Number.isInteger(version) || version < 0)
    throw new StorageError("CORRUPT", `the database ${file} has an invalid schema version "${row?.value}"`);
  if (version > SCHEMA_VERSION)
    throw new StorageError(
      "NEWER_SCHEMA",
      `the database ${file} was written by a newer faktory-ts (schema ${version}; this version reads up to ${SCHEMA_VERSION}); upgrade faktory-ts or choose another --data-dir`,
    );
  if (version === SCHEMA_VERSION) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(
      String(SCHEMA_VERSION),
    );
    db.exec("COMMIT");
  } catch (err) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw err;
  }
}
