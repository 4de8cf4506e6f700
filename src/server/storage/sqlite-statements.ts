/**
 * The small part of the better-sqlite3 API the durable storage uses (typed here so that the
 * optional driver's types are not needed), and every prepared statement, compiled once.
 * @module
 */

/** A prepared statement (better-sqlite3's `Statement`). */
export interface SqliteStatement {
  /** Runs a write; returns the number of rows changed and the last inserted rowid. */
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  /** The first row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Every row. */
  all(...params: unknown[]): unknown[];
}

/** An open database (better-sqlite3's `Database`). */
export interface SqliteDatabase {
  /** Compiles a statement. */
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements without results. */
  exec(sql: string): unknown;
  /** Runs a PRAGMA. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Whether a transaction is open. */
  readonly inTransaction: boolean;
  /** Closes the database. */
  close(): unknown;
}

/** The constructor the `better-sqlite3` module exports. */
export type SqliteDriver = new (file: string, options?: { timeout?: number }) => SqliteDatabase;

/** Every statement of the durable storage. */
export class Statements {
  readonly begin: SqliteStatement;
  readonly commit: SqliteStatement;
  readonly rollback: SqliteStatement;

  readonly addQueue: SqliteStatement;
  readonly removeQueue: SqliteStatement;
  readonly setPaused: SqliteStatement;
  readonly allQueues: SqliteStatement;
  readonly queueSizes: SqliteStatement;
  readonly pushJob: SqliteStatement;
  readonly popJob: SqliteStatement;
  readonly oldestJob: SqliteStatement;
  readonly pageJobs: SqliteStatement;
  readonly removeJob: SqliteStatement;
  readonly clearQueue: SqliteStatement;

  readonly addSorted: SqliteStatement;
  readonly earliestSorted: SqliteStatement;
  readonly removeSorted: SqliteStatement;
  readonly pageSorted: SqliteStatement;
  readonly findSorted: SqliteStatement;
  readonly clearSorted: SqliteStatement;
  readonly sortedSizes: SqliteStatement;

  readonly putReservation: SqliteStatement;
  readonly getReservation: SqliteStatement;
  readonly deleteReservation: SqliteStatement;
  readonly earliestReservation: SqliteStatement;
  readonly countReservations: SqliteStatement;
  readonly pageReservations: SqliteStatement;

  readonly increment: SqliteStatement;
  readonly counter: SqliteStatement;

  readonly getRecord: SqliteStatement;
  readonly setRecord: SqliteStatement;
  readonly deleteRecord: SqliteStatement;
  readonly countRecords: SqliteStatement;
  readonly allRecords: SqliteStatement;
  readonly clearRecords: SqliteStatement;

  constructor(db: SqliteDatabase) {
    const p = (sql: string): SqliteStatement => db.prepare(sql);
    this.begin = p("BEGIN");
    this.commit = p("COMMIT");
    this.rollback = p("ROLLBACK");

    this.addQueue = p("INSERT OR IGNORE INTO queues (name) VALUES (?)");
    this.removeQueue = p("DELETE FROM queues WHERE name = ?");
    this.setPaused = p("UPDATE queues SET paused = ? WHERE name = ?");
    this.allQueues = p("SELECT name, paused FROM queues");
    this.queueSizes = p("SELECT queue, COUNT(*) AS n FROM jobs GROUP BY queue");
    this.pushJob = p("INSERT INTO jobs (queue, jid, payload, reserve_for) VALUES (?, ?, ?, ?)");
    this.popJob = p(
      "DELETE FROM jobs WHERE id = (SELECT id FROM jobs WHERE queue = ? ORDER BY id LIMIT 1) RETURNING jid, payload, reserve_for",
    );
    this.oldestJob = p("SELECT jid, payload, reserve_for FROM jobs WHERE queue = ? ORDER BY id LIMIT 1");
    this.pageJobs = p(
      "SELECT jid, payload, reserve_for FROM jobs WHERE queue = ? ORDER BY id LIMIT ? OFFSET ?",
    );
    this.removeJob = p(
      "DELETE FROM jobs WHERE id = (SELECT id FROM jobs WHERE queue = ? AND jid = ? ORDER BY id LIMIT 1)",
    );
    this.clearQueue = p("DELETE FROM jobs WHERE queue = ?");

    this.addSorted = p("INSERT INTO sorted (name, score, jid, payload) VALUES (?, ?, ?, ?)");
    this.earliestSorted = p(
      "SELECT id, score, jid, payload FROM sorted WHERE name = ? ORDER BY score, id LIMIT 1",
    );
    this.removeSorted = p("DELETE FROM sorted WHERE id = ? AND name = ?");
    this.pageSorted = p(
      "SELECT id, score, jid, payload FROM sorted WHERE name = ? ORDER BY score, id LIMIT ? OFFSET ?",
    );
    this.findSorted = p(
      "SELECT id, score, jid, payload FROM sorted WHERE name = ? AND score = ? AND jid = ? ORDER BY id LIMIT 1",
    );
    this.clearSorted = p("DELETE FROM sorted WHERE name = ?");
    this.sortedSizes = p("SELECT name, COUNT(*) AS n FROM sorted GROUP BY name");

    this.putReservation = p(
      "INSERT OR REPLACE INTO reservations (jid, payload, wid, reserved_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.getReservation = p(
      "SELECT jid, payload, wid, reserved_at, expires_at FROM reservations WHERE jid = ?",
    );
    this.deleteReservation = p(
      "DELETE FROM reservations WHERE jid = ? RETURNING jid, payload, wid, reserved_at, expires_at",
    );
    this.earliestReservation = p(
      "SELECT jid, payload, wid, reserved_at, expires_at FROM reservations ORDER BY expires_at, jid LIMIT 1",
    );
    this.pageReservations = p(
      "SELECT jid, payload, wid, reserved_at, expires_at FROM reservations ORDER BY expires_at, jid LIMIT ? OFFSET ?",
    );
    this.countReservations = p("SELECT COUNT(*) AS n FROM reservations");

    this.increment = p(
      "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
    );
    this.counter = p("SELECT value FROM counters WHERE name = ?");

    this.getRecord = p("SELECT value FROM records WHERE namespace = ? AND key = ?");
    this.setRecord = p("INSERT OR REPLACE INTO records (namespace, key, value) VALUES (?, ?, ?)");
    this.deleteRecord = p("DELETE FROM records WHERE namespace = ? AND key = ?");
    this.countRecords = p("SELECT COUNT(*) AS n FROM records WHERE namespace = ?");
    this.allRecords = p("SELECT key, value FROM records WHERE namespace = ?");
    this.clearRecords = p("DELETE FROM records WHERE namespace = ?");
  }
}
