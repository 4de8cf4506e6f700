/**
 * Enterprise state kept in `Storage.records` namespaces as JSON, each record carrying its own
 * expiry time. Expired records read as absent (and are deleted then); a sweep removes the rest.
 * @module
 */
import type { RecordStore } from "../storage/storage.js";

/** Anything stored with an expiry (epoch ms). */
export interface Expiring {
  /** When the record stops existing (epoch ms, server clock). */
  expiresAt: number;
}

/** A typed view of one record namespace with per-record expiry. */
export class ExpiringRecords<T extends Expiring> {
  /** `now` gives the server clock's time. */
  constructor(
    private readonly store: RecordStore,
    private readonly now: () => number,
  ) {}

  /** The live record of `key`, or `undefined` (absent or expired). */
  get(key: string): T | undefined {
    const raw = this.store.get(key);
    if (raw === undefined) return undefined;
    const value = JSON.parse(raw) as T;
    if (value.expiresAt <= this.now()) {
      this.store.delete(key);
      return undefined;
    }
    return value;
  }

  /** Stores (or replaces) a record. */
  set(key: string, value: T): void {
    this.store.set(key, JSON.stringify(value));
  }

  /** Deletes a record; `true` if it existed. */
  delete(key: string): boolean {
    return this.store.delete(key);
  }

  /** Every live record. */
  values(): T[] {
    const now = this.now();
    const out: T[] = [];
    for (const [, raw] of this.store.entries()) {
      const value = JSON.parse(raw) as T;
      if (value.expiresAt > now) out.push(value);
    }
    return out;
  }

  /** Deletes every expired record; returns how many. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, raw] of this.store.entries())
      if ((JSON.parse(raw) as T).expiresAt <= now) {
        this.store.delete(key);
        removed++;
      }
    return removed;
  }
}
