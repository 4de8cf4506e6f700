/**
 * The durable storage backend: one SQLite database (better-sqlite3, synchronous like the
 * {@link Storage} interface) in WAL mode, with an exclusive lock so that one server owns a data
 * folder. Writes are grouped: the first change of an event-loop turn opens a transaction, and a
 * `setImmediate` commits it after every socket read of that turn was handled. Replies wait for
 * {@link SqliteStorage.pendingCommit}, so a client never hears `+OK` for a change that is not on
 * disk. A failed commit rolls the whole group back and rejects the promise.
 *
 * Sizes (per queue, per set, reservations) and the queue list are cached in memory so that no
 * command scans a table; jobs themselves live only on disk.
 * @module
 */
import { type WriteHost, SqliteRecords, SqliteSortedSet } from "./sqlite-collections.js";
import { migrate } from "./sqlite-schema.js";
import { type SqliteDatabase, Statements } from "./sqlite-statements.js";
import type { QueuedJob, RecordStore, Reservation, SetName, SortedSetStore, Storage } from "./storage.js";
import { StorageError, toStorageError } from "./storage-error.js";

/** How hard a commit pushes data to the disk. */
export type SynchronousMode = "normal" | "full";

/** Options of {@link SqliteStorage}. */
export interface SqliteStorageOptions {
  /**
   * `"normal"` (default): a committed change survives a crash of the process (`kill -9`);
   * `"full"`: it also survives power loss or an OS crash (an fsync per commit, slower).
   */
  synchronous?: SynchronousMode;
}

interface JobRow {
  jid: string;
  payload: string;
  reserve_for: number;
}

interface ReservationRow {
  jid: string;
  payload: string;
  wid: string;
  reserved_at: number;
  expires_at: number;
}

interface QueueState {
  size: number;
  paused: boolean;
}

interface Batch {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Immediate;
}

function toJob(row: JobRow): QueuedJob {
  return { jid: row.jid, payload: row.payload, reserveFor: row.reserve_for };
}

function toReservation(row: ReservationRow): Reservation {
  return {
    jid: row.jid,
    payload: row.payload,
    wid: row.wid,
    reservedAt: row.reserved_at,
    expiresAt: row.expires_at,
  };
}

/** Storage in a SQLite database file; survives crashes and restarts. */
export class SqliteStorage implements Storage, WriteHost {
  /** @internal The prepared statements. */
  readonly st: Statements;
  /** Called after a failed commit was rolled back (the server re-arms its timers). */
  onRollback: ((err: StorageError) => void) | undefined;

  private readonly queues = new Map<string, QueueState>();
  private readonly sets: Record<SetName, SqliteSortedSet>;
  private readonly recordStores = new Map<string, SqliteRecords>();
  private reservations = 0;
  private batch: Batch | undefined;
  private closed = false;

  /**
   * Wraps an open better-sqlite3 database (see `openStorage` to open a data folder). Sets the
   * pragmas, takes the exclusive lock, migrates the schema and loads the cached sizes.
   */
  constructor(
    private readonly db: SqliteDatabase,
    /** The database file, for messages. */
    readonly file: string,
    options: SqliteStorageOptions = {},
  ) {
    try {
      db.pragma("locking_mode = EXCLUSIVE");
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
      migrate(db, file);
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok")
        throw new StorageError("CORRUPT", `the database ${file} is damaged: ${String(check)}`);
      this.st = new Statements(db);
    } catch (err) {
      db.close();
      throw toStorageError(err, file);
    }
    this.sets = {
      scheduled: new SqliteSortedSet(this, "scheduled"),
      retries: new SqliteSortedSet(this, "retries"),
      dead: new SqliteSortedSet(this, "dead"),
    };
    this.loadCaches();
  }

  private loadCaches(): void {
    this.queues.clear();
    for (const row of this.st.allQueues.all() as Array<{ name: string; paused: number }>)
      this.queues.set(row.name, { size: 0, paused: row.paused !== 0 });
    for (const row of this.st.queueSizes.all() as Array<{ queue: string; n: number }>) {
      const q = this.queues.get(row.queue);
      if (q !== undefined) q.size = row.n;
    }
    for (const set of Object.values(this.sets)) set.count = 0;
    for (const row of this.st.sortedSizes.all() as Array<{ name: SetName; n: number }>) {
      const set = this.sets[row.name];
      if (set !== undefined) set.count = row.n;
    }
    this.reservations = (this.st.countReservations.get() as { n: number }).n;
  }

  // ---- group commit ----------------------------------------------------------------------

  /** @internal Runs `change` inside the current transaction; a failure rolls the group back. */
  write<T>(change: () => T): T {
    if (this.closed) throw new StorageError("IO", `the storage ${this.file} is closed`);
    if (this.batch === undefined) this.begin();
    try {
      return change();
    } catch (err) {
      this.fail(err);
      throw toStorageError(err, this.file);
    }
  }

  /**
   * The commit of the changes made in this event-loop turn, or `undefined` when nothing is
   * waiting to be written. Rejects (with a {@link StorageError}) when the commit failed and the
   * changes were rolled back.
   */
  pendingCommit(): Promise<void> | undefined {
    return this.batch?.promise;
  }

  private begin(): void {
    this.st.begin.run();
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // a failure is reported to whoever awaits it, never as unhandled
    this.batch = { promise, resolve, reject, timer: setImmediate(this.commit) };
  }

  private readonly commit = (): void => {
    const batch = this.batch;
    if (batch === undefined) return;
    try {
      this.st.commit.run();
    } catch (err) {
      this.fail(err);
      return;
    }
    this.batch = undefined;
    clearImmediate(batch.timer);
    batch.resolve();
  };

  private fail(cause: unknown): void {
    const batch = this.batch;
    this.batch = undefined;
    if (batch !== undefined) clearImmediate(batch.timer);
    try {
      if (this.db.inTransaction) this.st.rollback.run();
    } catch {
      // SQLite may already have rolled back on its own (e.g. SQLITE_FULL)
    }
    const err = toStorageError(cause, this.file);
    this.loadCaches();
    batch?.reject(err);
    this.onRollback?.(err);
  }

  // ---- queues ----------------------------------------------------------------------------

  enqueue(queue: string, job: QueuedJob): void {
    this.write(() => {
      let q = this.queues.get(queue);
      if (q === undefined) {
        this.st.addQueue.run(queue);
        q = { size: 0, paused: false };
        this.queues.set(queue, q);
      }
      this.st.pushJob.run(queue, job.jid, job.payload, job.reserveFor);
      q.size++;
    });
  }

  dequeue(queue: string): QueuedJob | undefined {
    const q = this.queues.get(queue);
    if (q === undefined || q.size === 0) return undefined;
    return this.write(() => {
      const row = this.st.popJob.get(queue) as JobRow | undefined;
      if (row === undefined) return undefined;
      q.size--;
      return toJob(row);
    });
  }

  oldest(queue: string): QueuedJob | undefined {
    if ((this.queues.get(queue)?.size ?? 0) === 0) return undefined;
    const row = this.st.oldestJob.get(queue) as JobRow | undefined;
    return row === undefined ? undefined : toJob(row);
  }

  queueSize(queue: string): number {
    return this.queues.get(queue)?.size ?? 0;
  }

  hasQueue(queue: string): boolean {
    return this.queues.has(queue);
  }

  queueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  removeQueue(queue: string): void {
    if (!this.queues.has(queue)) return;
    this.write(() => {
      this.st.clearQueue.run(queue);
      this.st.removeQueue.run(queue);
      this.queues.delete(queue);
    });
  }

  queueJobs(queue: string, offset: number, limit: number): QueuedJob[] {
    if (limit <= 0 || !this.queues.has(queue)) return [];
    return (this.st.pageJobs.all(queue, limit, Math.max(0, offset)) as JobRow[]).map(toJob);
  }

  removeQueuedJob(queue: string, jid: string): boolean {
    const q = this.queues.get(queue);
    if (q === undefined || q.size === 0) return false;
    return this.write(() => {
      const removed = this.st.removeJob.run(queue, jid).changes > 0;
      if (removed) q.size--;
      return removed;
    });
  }

  pauseQueue(queue: string): void {
    this.setPaused(queue, true);
  }

  resumeQueue(queue: string): void {
    this.setPaused(queue, false);
  }

  private setPaused(queue: string, paused: boolean): void {
    const q = this.queues.get(queue);
    if (q === undefined || q.paused === paused) return;
    this.write(() => {
      this.st.setPaused.run(paused ? 1 : 0, queue);
      q.paused = paused;
    });
  }

  isPaused(queue: string): boolean {
    return this.queues.get(queue)?.paused ?? false;
  }

  // ---- sets, reservations, counters, records ----------------------------------------------

  sortedSet(name: SetName): SortedSetStore {
    return this.sets[name];
  }

  addReservation(r: Reservation): void {
    this.write(() => {
      const existed = this.st.getReservation.get(r.jid) !== undefined;
      this.st.putReservation.run(r.jid, r.payload, r.wid, r.reservedAt, r.expiresAt);
      if (!existed) this.reservations++;
    });
  }

  removeReservation(jid: string): Reservation | undefined {
    if (this.reservations === 0) return undefined;
    return this.write(() => {
      const row = this.st.deleteReservation.get(jid) as ReservationRow | undefined;
      if (row === undefined) return undefined;
      this.reservations--;
      return toReservation(row);
    });
  }

  getReservation(jid: string): Reservation | undefined {
    const row = this.st.getReservation.get(jid) as ReservationRow | undefined;
    return row === undefined ? undefined : toReservation(row);
  }

  reservationCount(): number {
    return this.reservations;
  }

  earliestReservation(): Reservation | undefined {
    if (this.reservations === 0) return undefined;
    const row = this.st.earliestReservation.get() as ReservationRow | undefined;
    return row === undefined ? undefined : toReservation(row);
  }

  reservationPage(offset: number, limit: number): Reservation[] {
    if (limit <= 0 || this.reservations === 0) return [];
    return (this.st.pageReservations.all(limit, Math.max(0, offset)) as ReservationRow[]).map(toReservation);
  }

  increment(name: string, by = 1): number {
    return this.write(() => (this.st.increment.get(name, by) as { value: number }).value);
  }

  counter(name: string): number {
    return (this.st.counter.get(name) as { value: number } | undefined)?.value ?? 0;
  }

  records(namespace: string): RecordStore {
    let store = this.recordStores.get(namespace);
    if (store === undefined) {
      store = new SqliteRecords(this, namespace);
      this.recordStores.set(namespace, store);
    }
    return store;
  }

  flush(): void {
    this.write(() => {
      this.db.exec(
        "DELETE FROM jobs; DELETE FROM queues; DELETE FROM sorted; DELETE FROM reservations; DELETE FROM counters; DELETE FROM records;",
      );
      this.queues.clear();
      for (const set of Object.values(this.sets)) set.count = 0;
      this.reservations = 0;
    });
  }

  /** Commits what is pending, then closes the database (the data stays on disk). */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    this.db.close();
  }
}
