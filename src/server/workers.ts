/**
 * The worker registry: worker processes identified by the `wid` of their HELLO, the
 * connections they hold, their heartbeats and their lifecycle state (running → quiet →
 * terminate, only forwards).
 * @module
 */
import type { HelloPayload, WorkerState } from "../protocol/index.js";

/** How long a worker may stay silent before it is forgotten and its connections closed. */
export const WORKER_TIMEOUT_MS = 60_000;

/** Something the registry can close when it reaps a worker. */
export interface WorkerConnection {
  /** Closes the connection (the registry is told through {@link WorkerRegistry.detach}). */
  close(): void;
}

/** What the server knows about one worker process. */
export interface WorkerEntry {
  /** The worker's id. */
  readonly wid: string;
  /** Host name from HELLO. */
  readonly hostname: string;
  /** OS pid from HELLO. */
  readonly pid: number;
  /** Labels from HELLO. */
  readonly labels: readonly string[];
  /** When the first connection of this wid said HELLO (epoch ms). */
  readonly startedAt: number;
  /** Last HELLO or BEAT (epoch ms). */
  lastHeartbeat: number;
  /** Resident memory last reported, in KiB. */
  rssKb: number;
  /** Lifecycle state. */
  state: WorkerState;
  /** Open connections registered under this wid. */
  readonly connections: Set<WorkerConnection>;
}

const STATE_RANK: Record<WorkerState, number> = { running: 0, quiet: 1, terminate: 2 };

/** Moves a worker's state forward (never back); returns whether it changed. */
export function advanceState(entry: WorkerEntry, next: WorkerState): boolean {
  if (STATE_RANK[next] <= STATE_RANK[entry.state]) return false;
  entry.state = next;
  return true;
}

/** The set of live workers. */
export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerEntry>();
  /** Workers reaped for silence since the start. */
  reaped = 0;

  /** Number of live workers. */
  get size(): number {
    return this.workers.size;
  }

  /** Registers a connection under the HELLO's wid (joining an existing worker). */
  attach(hello: HelloPayload & { wid: string }, conn: WorkerConnection, now: number): WorkerEntry {
    let entry = this.workers.get(hello.wid);
    if (entry === undefined) {
      entry = {
        wid: hello.wid,
        hostname: hello.hostname ?? "",
        pid: hello.pid ?? 0,
        labels: hello.labels ?? [],
        startedAt: now,
        lastHeartbeat: now,
        rssKb: hello.rss_kb ?? 0,
        state: "running",
        connections: new Set(),
      };
      this.workers.set(hello.wid, entry);
    }
    entry.lastHeartbeat = now;
    entry.connections.add(conn);
    return entry;
  }

  /** Removes a closed connection; the worker is forgotten with its last connection. */
  detach(wid: string, conn: WorkerConnection): void {
    const entry = this.workers.get(wid);
    if (entry === undefined) return;
    entry.connections.delete(conn);
    if (entry.connections.size === 0) this.workers.delete(wid);
  }

  /** The live worker with this wid. */
  get(wid: string): WorkerEntry | undefined {
    return this.workers.get(wid);
  }

  /** All live workers. */
  all(): IterableIterator<WorkerEntry> {
    return this.workers.values();
  }

  /**
   * Signals one worker, or every worker for `"all"`. Returns how many workers were signalled
   * (a worker already in that state or further counts too).
   */
  signal(wid: string, state: "quiet" | "terminate"): number {
    if (wid === "all") {
      for (const entry of this.workers.values()) advanceState(entry, state);
      return this.workers.size;
    }
    const entry = this.workers.get(wid);
    if (entry === undefined) return 0;
    advanceState(entry, state);
    return 1;
  }

  /**
   * Forgets workers silent since `now - WORKER_TIMEOUT_MS` or longer and closes their
   * connections. Returns the time the next worker falls due, if any.
   */
  reap(now: number): number | undefined {
    let next: number | undefined;
    for (const entry of [...this.workers.values()]) {
      const due = entry.lastHeartbeat + WORKER_TIMEOUT_MS;
      if (due <= now) {
        this.workers.delete(entry.wid);
        this.reaped++;
        for (const conn of [...entry.connections]) conn.close();
      } else if (next === undefined || due < next) next = due;
    }
    return next;
  }

  /** When the earliest worker falls due for reaping. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const entry of this.workers.values()) {
      const due = entry.lastHeartbeat + WORKER_TIMEOUT_MS;
      if (next === undefined || due < next) next = due;
    }
    return next;
  }
}
