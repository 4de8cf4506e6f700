/**
 * The sorted sets and record collections of the durable storage. Every write goes through the
 * owner's {@link WriteHost.write}, which opens the group-commit transaction.
 * @module
 */
import type { Statements } from "./sqlite-statements.js";
import type { RecordStore, SetName, SortedEntry, SortedSetStore } from "./storage.js";

/** What a collection needs from the storage that owns it. */
export interface WriteHost {
  /** The prepared statements. */
  readonly st: Statements;
  /** Runs a change inside the current group-commit transaction (opening one if needed). */
  write<T>(change: () => T): T;
}

interface SortedRow {
  id: number;
  score: number;
  jid: string;
  payload: string;
}

function toEntry(row: SortedRow): SortedEntry {
  return { id: row.id, score: row.score, jid: row.jid, payload: row.payload };
}

/** One sorted set: rows of the `sorted` table with this name, indexed by (score, id). */
export class SqliteSortedSet implements SortedSetStore {
  /** Entries, kept in memory so that `size()` is not a scan. */
  count = 0;

  constructor(
    private readonly host: WriteHost,
    private readonly name: SetName,
  ) {}

  add(score: number, jid: string, payload: string): SortedEntry {
    return this.host.write(() => {
      const { lastInsertRowid } = this.host.st.addSorted.run(this.name, score, jid, payload);
      this.count++;
      return { id: Number(lastInsertRowid), score, jid, payload };
    });
  }

  size(): number {
    return this.count;
  }

  earliest(): SortedEntry | undefined {
    if (this.count === 0) return undefined;
    const row = this.host.st.earliestSorted.get(this.name) as SortedRow | undefined;
    return row === undefined ? undefined : toEntry(row);
  }

  takeDue(now: number): SortedEntry | undefined {
    const first = this.earliest();
    if (first === undefined || first.score > now) return undefined;
    this.remove(first.id);
    return first;
  }

  remove(id: number): boolean {
    return this.host.write(() => {
      const removed = this.host.st.removeSorted.run(id, this.name).changes > 0;
      if (removed) this.count--;
      return removed;
    });
  }

  entries(): SortedEntry[] {
    return this.page(0, this.count);
  }

  page(offset: number, limit: number): SortedEntry[] {
    if (limit <= 0) return [];
    const rows = this.host.st.pageSorted.all(this.name, limit, Math.max(0, offset)) as SortedRow[];
    return rows.map(toEntry);
  }

  find(score: number, jid: string): SortedEntry | undefined {
    if (this.count === 0) return undefined;
    const row = this.host.st.findSorted.get(this.name, score, jid) as SortedRow | undefined;
    return row === undefined ? undefined : toEntry(row);
  }

  clear(): void {
    this.host.write(() => {
      this.host.st.clearSorted.run(this.name);
      this.count = 0;
    });
  }
}

/** One record collection: rows of the `records` table with this namespace. */
export class SqliteRecords implements RecordStore {
  constructor(
    private readonly host: WriteHost,
    private readonly namespace: string,
  ) {}

  get(key: string): string | undefined {
    const row = this.host.st.getRecord.get(this.namespace, key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.host.write(() => this.host.st.setRecord.run(this.namespace, key, value));
  }

  delete(key: string): boolean {
    return this.host.write(() => this.host.st.deleteRecord.run(this.namespace, key).changes > 0);
  }

  size(): number {
    return (this.host.st.countRecords.get(this.namespace) as { n: number }).n;
  }

  entries(): Array<[string, string]> {
    const rows = this.host.st.allRecords.all(this.namespace) as Array<{ key: string; value: string }>;
    // UTF-16 code unit order, as the interface promises (SQLite compares UTF-8 bytes).
    return rows
      .map((r): [string, string] => [r.key, r.value])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  clear(): void {
    this.host.write(() => this.host.st.clearRecords.run(this.namespace));
  }
}
