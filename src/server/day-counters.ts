/**
 * The `processed` and `failures` counters, each kept as a total and per UTC day
 * (`processed:2026-12-04`), as the reference keeps them for the dashboard's history.
 * @module
 */
import type { Storage } from "./storage/storage.js";

const DAY_MS = 86_400_000;

/** Counts processed jobs and failures, in total and per UTC day. */
export class DayCounters {
  /** Start (epoch ms) of the UTC day of {@link keys}. */
  private dayStart = Number.NaN;
  private readonly keys = { processed: "", failures: "" };

  constructor(private readonly storage: Storage) {}

  /** Adds one to `name` and to `name:<UTC day of now>`. */
  count(name: "processed" | "failures", now: number): void {
    this.storage.increment(name);
    // The day's keys, made again only when the (UTC) day changes.
    // (Written so that the first call, with dayStart still NaN, computes them too.)
    if (!(now >= this.dayStart && now < this.dayStart + DAY_MS)) {
      const today = new Date(now).toISOString().slice(0, 10);
      this.dayStart = Date.parse(today);
      this.keys.processed = `processed:${today}`;
      this.keys.failures = `failures:${today}`;
    }
    this.storage.increment(this.keys[name]);
  }
}
