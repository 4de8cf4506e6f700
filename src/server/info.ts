/**
 * The INFO document: queue sizes, set sizes, the background tasks' statistics and the server's
 * own figures, with the fields in the reference's order.
 * @module
 */
import { type FaktoryInfo, formatTimestamp, type InfoScannerTask } from "../protocol/index.js";
import type { Clock } from "./clock.js";
import type { ServerExtension } from "./extension.js";
import type { SetName, Storage } from "./storage/storage.js";
import type { WorkerRegistry } from "./workers.js";

/** The version this server imitates. */
export const FAKTORY_VERSION = "1.10.0";

/** Statistics of one sorted set's scanner (scheduled, retries, dead purge). */
export interface ScannerStats {
  /** Runs so far. */
  cycles: number;
  /** Jobs enqueued (or, for the dead set, purged). */
  enqueued: number;
  /** Time spent, in ms. */
  wallMs: number;
}

/** What the INFO document is made of (the job engine, `ServerCore`, has all of it). */
export interface InfoSource {
  /** Where jobs live. */
  readonly storage: Storage;
  /** Time source. */
  readonly clock: Clock;
  /** Live worker processes. */
  readonly workers: Pick<WorkerRegistry, "reaped" | "size">;
  /** Enterprise features, if on (they change the description). */
  readonly extension: Pick<ServerExtension, "description"> | undefined;
  /** When the server started (epoch ms). */
  readonly startedAt: number;
  /** Live post-handshake connections. */
  readonly connections: number;
  /** Commands dispatched. */
  readonly commandCount: number;
  /** Statistics of the sorted sets' scanners. */
  readonly scannerStats: Readonly<Record<SetName, ScannerStats>>;
  /** Reservations that expired so far. */
  readonly reservationsReaped: number;
}

/** The INFO document of `core` at this moment. */
export function serverInfo(core: InfoSource): FaktoryInfo {
  const { storage } = core;
  const now = core.clock.now();
  const queues: Record<string, number> = Object.create(null); // "__proto__" stays a plain key
  let totalEnqueued = 0;
  const names = storage.queueNames();
  for (const name of names) {
    const size = storage.queueSize(name);
    queues[name] = size;
    totalEnqueued += size;
  }
  const sets = {
    dead: storage.sortedSet("dead").size(),
    retries: storage.sortedSet("retries").size(),
    scheduled: storage.sortedSet("scheduled").size(),
    working: storage.reservationCount(),
  };
  const scanner = (name: SetName): InfoScannerTask => {
    const s = core.scannerStats[name];
    return {
      cycles: s.cycles,
      enqueued: s.enqueued,
      size: sets[name],
      wall_time_sec: Math.round(s.wallMs * 1000) / 1e6,
    };
  };
  return {
    now: formatTimestamp(now),
    server_utc_time: `${new Date(now).toISOString().slice(11, 19)} UTC`,
    faktory: {
      queues,
      sets,
      tasks: {
        Busy: { reaped: core.reservationsReaped, size: sets.working },
        Dead: scanner("dead"),
        Retries: scanner("retries"),
        Scheduled: scanner("scheduled"),
        Workers: { reaped: core.workers.reaped, size: core.workers.size },
      },
      total_failures: storage.counter("failures"),
      total_processed: storage.counter("processed"),
      total_enqueued: totalEnqueued,
      total_queues: names.length,
    },
    server: {
      description: core.extension?.description ?? "Faktory",
      faktory_version: FAKTORY_VERSION,
      uptime: Math.max(0, Math.floor((now - core.startedAt) / 1000)),
      connections: core.connections,
      command_count: core.commandCount,
      used_memory_mb: Math.round(process.memoryUsage.rss() / 1048576),
    },
  };
}
