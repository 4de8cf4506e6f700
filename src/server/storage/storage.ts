/**
 * The one storage interface of the embedded server. Every piece of server state that would live
 * in Redis for a real Faktory lives behind it: the queues, the `scheduled`, `retries` and `dead`
 * sorted sets, the reservations (`working`), the counters and the paused-queue set.
 *
 * The interface is **synchronous** on purpose: the in-memory backend and a future SQLite backend
 * (better-sqlite3 is synchronous too) both answer at once, which keeps every command handler a
 * plain function and every state change atomic with respect to the event loop.
 * @module
 */

/** Names of the three sorted sets of jobs. */
export type SetName = "scheduled" | "retries" | "dead";

/** A job waiting in a queue: its id, its JSON as the server returns it, and its raw `reserve_for`. */
export interface QueuedJob {
  /** The job's jid. */
  readonly jid: string;
  /** The job, re-marshalled in Faktory's field order. */
  readonly payload: string;
  /** The job's own `reserve_for` in seconds (0 when it has none); clamped when reserved. */
  readonly reserveFor: number;
}

/** A member of a sorted set. */
export interface SortedEntry {
  /** Storage-assigned identity of this entry (one jid may appear several times). */
  readonly id: number;
  /** When it is due, in epoch milliseconds. */
  readonly score: number;
  /** The job's jid. */
  readonly jid: string;
  /** The job's JSON. */
  readonly payload: string;
}

/** A job handed out by FETCH and not yet ACKed or FAILed. */
export interface Reservation {
  /** The reserved job's jid (one reservation per jid). */
  readonly jid: string;
  /** The job's JSON, as it was fetched. */
  readonly payload: string;
  /** Worker id of the fetching connection, `""` for a connection without one. */
  readonly wid: string;
  /** When it was reserved (epoch ms). */
  readonly reservedAt: number;
  /** When it expires (epoch ms). */
  readonly expiresAt: number;
}

/** A sorted set of jobs ordered by score; ties keep insertion order. */
export interface SortedSetStore {
  /** Adds a job due at `score` and returns the stored entry. */
  add(score: number, jid: string, payload: string): SortedEntry;
  /** Number of entries. */
  size(): number;
  /** The entry with the lowest score, without removing it. */
  earliest(): SortedEntry | undefined;
  /** Removes and returns the earliest entry if its score is `<= now`. */
  takeDue(now: number): SortedEntry | undefined;
  /** Removes one entry by id; `false` when it was not there. */
  remove(id: number): boolean;
  /**
   * The first entry (insertion order) with this jid and this score to the microsecond (within
   * ±0.5 µs, so that a score read back from an RFC 3339 key finds its entry).
   */
  find(score: number, jid: string): SortedEntry | undefined;
  /** A snapshot of all entries, by ascending score. */
  entries(): SortedEntry[];
  /** Up to `limit` entries from position `offset` (0-based) in ascending score order. */
  page(offset: number, limit: number): SortedEntry[];
  /** Removes every entry. */
  clear(): void;
}

/**
 * A named collection of string records (usually JSON), for state that features beyond the core
 * protocol keep (Enterprise batches, progress tracking, unique locks, dashboard history). Keys
 * are compared as plain strings (`"__proto__"` is an ordinary key).
 */
export interface RecordStore {
  /** The record under `key`. */
  get(key: string): string | undefined;
  /** Stores `value` under `key`, replacing any earlier value. */
  set(key: string, value: string): void;
  /** Deletes the record under `key`; `false` when there was none. */
  delete(key: string): boolean;
  /** Number of records. */
  size(): number;
  /** Every record as `[key, value]`, in key order (UTF-16 code unit order). */
  entries(): Array<[string, string]>;
  /** Deletes every record of this collection. */
  clear(): void;
}

/** Everything the server stores. All calls complete synchronously. */
export interface Storage {
  /** Appends a job to the tail of `queue` (FIFO) and makes the queue known. */
  enqueue(queue: string, job: QueuedJob): void;
  /** Removes and returns the oldest job of `queue`. */
  dequeue(queue: string): QueuedJob | undefined;
  /** The oldest job of `queue`, left in place. */
  oldest(queue: string): QueuedJob | undefined;
  /** Number of jobs waiting in `queue` (0 for an unknown queue). */
  queueSize(queue: string): number;
  /** Whether `queue` is known (pushed to since it was last removed or flushed). */
  hasQueue(queue: string): boolean;
  /** Every known queue, in name order. */
  queueNames(): string[];
  /** Deletes a queue and its jobs, and forgets it (also un-pauses it). */
  removeQueue(queue: string): void;
  /** Up to `limit` jobs of `queue` from position `offset` (0 = oldest), oldest first. */
  queueJobs(queue: string, offset: number, limit: number): QueuedJob[];
  /** Removes the queued job `jid` from `queue`; `false` when it is not there. */
  removeQueuedJob(queue: string, jid: string): boolean;

  /** Marks a queue paused. */
  pauseQueue(queue: string): void;
  /** Un-pauses a queue. */
  resumeQueue(queue: string): void;
  /** Whether a queue is paused. */
  isPaused(queue: string): boolean;

  /** One of the three sorted sets. */
  sortedSet(name: SetName): SortedSetStore;

  /** Records a reservation, replacing any reservation of the same jid. */
  addReservation(reservation: Reservation): void;
  /** Removes and returns the reservation of `jid`. */
  removeReservation(jid: string): Reservation | undefined;
  /** The reservation of `jid`. */
  getReservation(jid: string): Reservation | undefined;
  /** Number of reservations. */
  reservationCount(): number;
  /** The reservation that expires first. */
  earliestReservation(): Reservation | undefined;
  /** Up to `limit` reservations from position `offset`, by ascending expiry (ties: any order). */
  reservationPage(offset: number, limit: number): Reservation[];

  /** Adds `by` (default 1) to a counter and returns the new value. */
  increment(name: string, by?: number): number;
  /** A counter's value (0 if never incremented). */
  counter(name: string): number;

  /**
   * The record collection `namespace` (created on first use). Namespaces are chosen by the
   * features that use them, e.g. `"batches"`, `"tracking"`, `"unique"`.
   */
  records(namespace: string): RecordStore;

  /**
   * For a storage that writes in groups (the durable one): the commit of the changes made so
   * far, or `undefined` when nothing waits to be written. It rejects when the commit failed and
   * the changes were rolled back. Replies to changes are held until it settles.
   */
  pendingCommit?(): Promise<void> | undefined;

  /** Deletes everything: queues (known and paused), sets, reservations, counters and records. */
  flush(): void;
  /** Releases resources. The storage must not be used afterwards. */
  close(): void;
}
