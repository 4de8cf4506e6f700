/**
 * The in-memory storage backend: queues as byte logs ({@link JobLog}: jobs kept as UTF-8 and
 * decoded when they leave), sorted lists for the sorted sets, an indexed binary heap for the
 * reservations. Push, fetch and ack are O(1) or O(log n).
 * @module
 */
import { IndexedHeap } from "./indexed-heap.js";
import { flatCopy, JobLog } from "./job-log.js";
import { SortedList } from "./sorted-list.js";
import type {
  QueuedJob,
  RecordStore,
  Reservation,
  SetName,
  SortedEntry,
  SortedSetStore,
  Storage,
} from "./storage.js";

class MemorySortedSet implements SortedSetStore {
  private readonly list = new SortedList<SortedEntry>();
  private nextId = 1;

  add(score: number, jid: string, payload: string): SortedEntry {
    const entry: SortedEntry = { id: this.nextId++, score, jid, payload: flatCopy(payload) };
    this.list.add(entry);
    return entry;
  }

  size(): number {
    return this.list.size;
  }

  earliest(): SortedEntry | undefined {
    return this.list.first();
  }

  takeDue(now: number): SortedEntry | undefined {
    const first = this.list.first();
    if (first === undefined || first.score > now) return undefined;
    return this.list.shift();
  }

  remove(id: number): boolean {
    return this.list.delete(id) !== undefined;
  }

  find(score: number, jid: string): SortedEntry | undefined {
    // To the microsecond: a score that went through an RFC 3339 key may differ in float rounding.
    return this.list.findIn(score - 0.0005, score + 0.0005, (entry) => entry.jid === jid);
  }

  entries(): SortedEntry[] {
    return this.list.values();
  }

  page(offset: number, limit: number): SortedEntry[] {
    return this.list.page(offset, Math.max(0, limit));
  }

  clear(): void {
    this.list.clear();
  }
}

class MemoryRecords implements RecordStore {
  private readonly map = new Map<string, string>();

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  set(key: string, value: string): void {
    this.map.set(key, value);
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  size(): number {
    return this.map.size;
  }

  entries(): Array<[string, string]> {
    return [...this.map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  clear(): void {
    this.map.clear();
  }
}

/** Storage kept in the process's memory; lost when the process ends. */
export class MemoryStorage implements Storage {
  private readonly queues = new Map<string, JobLog>();
  private readonly paused = new Set<string>();
  private readonly sets: Record<SetName, MemorySortedSet> = {
    scheduled: new MemorySortedSet(),
    retries: new MemorySortedSet(),
    dead: new MemorySortedSet(),
  };
  private readonly reservations = new IndexedHeap<string, Reservation>();
  private readonly counters = new Map<string, number>();
  private readonly recordStores = new Map<string, MemoryRecords>();

  enqueue(queue: string, job: QueuedJob): void {
    let q = this.queues.get(queue);
    if (q === undefined) {
      q = new JobLog();
      this.queues.set(queue, q);
    }
    q.push(job);
  }

  dequeue(queue: string): QueuedJob | undefined {
    return this.queues.get(queue)?.shift();
  }

  oldest(queue: string): QueuedJob | undefined {
    return this.queues.get(queue)?.peek();
  }

  queueSize(queue: string): number {
    return this.queues.get(queue)?.length ?? 0;
  }

  hasQueue(queue: string): boolean {
    return this.queues.has(queue);
  }

  queueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  removeQueue(queue: string): void {
    this.queues.delete(queue);
    this.paused.delete(queue);
  }

  queueJobs(queue: string, offset: number, limit: number): QueuedJob[] {
    return this.queues.get(queue)?.slice(offset, limit) ?? [];
  }

  removeQueuedJob(queue: string, jid: string): boolean {
    return this.queues.get(queue)?.remove(jid) ?? false;
  }

  pauseQueue(queue: string): void {
    this.paused.add(queue);
  }

  resumeQueue(queue: string): void {
    this.paused.delete(queue);
  }

  isPaused(queue: string): boolean {
    return this.paused.size > 0 && this.paused.has(queue);
  }

  sortedSet(name: SetName): SortedSetStore {
    return this.sets[name];
  }

  addReservation(reservation: Reservation): void {
    this.reservations.set(reservation.jid, reservation.expiresAt, reservation);
  }

  removeReservation(jid: string): Reservation | undefined {
    return this.reservations.delete(jid);
  }

  getReservation(jid: string): Reservation | undefined {
    return this.reservations.get(jid);
  }

  reservationCount(): number {
    return this.reservations.size;
  }

  earliestReservation(): Reservation | undefined {
    return this.reservations.peek();
  }

  reservationPage(offset: number, limit: number): Reservation[] {
    const start = Math.max(0, offset);
    return this.reservations.sortedValues().slice(start, start + Math.max(0, limit));
  }

  increment(name: string, by = 1): number {
    const value = (this.counters.get(name) ?? 0) + by;
    this.counters.set(name, value);
    return value;
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  records(namespace: string): RecordStore {
    let store = this.recordStores.get(namespace);
    if (store === undefined) {
      store = new MemoryRecords();
      this.recordStores.set(namespace, store);
    }
    return store;
  }

  flush(): void {
    this.queues.clear();
    this.paused.clear();
    for (const set of Object.values(this.sets)) set.clear();
    this.reservations.clear();
    this.counters.clear();
    for (const store of this.recordStores.values()) store.clear();
  }

  close(): void {
    this.flush();
  }
}
