/**
 * Hooks through which other server features show their state on the dashboard: Enterprise
 * batches and job progress. A feature registers its readers once per {@link ServerCore}; the
 * dashboard's API and pages show them only when registered.
 * @module
 */
import type { ServerCore } from "../core.js";

/** A JSON-ready record shown as it is (values are escaped by the pages). */
export type DashboardRecord = object;

/** Readers of Enterprise batches. */
export interface DashboardBatches {
  /** Every batch, newest first (each with a string `bid`). */
  list(): readonly DashboardRecord[];
  /** One batch by id. */
  get(bid: string): DashboardRecord | undefined;
}

/** What a feature shows on the dashboard. */
export interface DashboardExtensions {
  /** Batches, when Enterprise batches are on. */
  readonly batches?: DashboardBatches;
  /** A job's progress (e.g. `{ percent, desc }`), when progress tracking is on. */
  readonly progress?: (jid: string) => DashboardRecord | undefined;
}

const registered = new WeakMap<ServerCore, DashboardExtensions>();

/** Registers (merging with earlier registrations) what a feature shows on `core`'s dashboard. */
export function registerDashboardExtensions(core: ServerCore, extensions: DashboardExtensions): void {
  registered.set(core, { ...registered.get(core), ...extensions });
}

/** What is registered for `core` (empty when nothing is). */
export function dashboardExtensions(core: ServerCore): DashboardExtensions {
  return registered.get(core) ?? {};
}
