/**
 * The JSON shapes the dashboard API returns, built from storage without loading whole lists:
 * jobs, sorted-set entries, reservations, workers, paging.
 * @module
 */
import { formatTimestamp } from "../../protocol/index.js";
import type { ServerCore } from "../core.js";
import type { Reservation, SetName, SortedEntry } from "../storage/storage.js";
import { entryKey } from "./actions.js";

/** Rows per page, as Faktory's UI. */
export const PAGE_SIZE = 25;

/** The URL path segment of each set (Faktory calls the dead set's page `morgue`). */
export const SET_PATHS: Readonly<Record<string, SetName>> = {
  retries: "retries",
  scheduled: "scheduled",
  morgue: "dead",
  dead: "dead",
};

/** A stored job's JSON as an object (a payload that is not an object is shown under `raw`). */
export function jobView(payload: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { raw: payload };
}

/** One sorted-set entry. */
export function entryView(entry: SortedEntry): Record<string, unknown> {
  return {
    key: entryKey(entry),
    at: formatTimestamp(entry.score),
    jid: entry.jid,
    job: jobView(entry.payload),
  };
}

/** One reservation (a job in progress). */
export function reservationView(r: Reservation): Record<string, unknown> {
  return {
    jid: r.jid,
    wid: r.wid,
    reserved_at: formatTimestamp(r.reservedAt),
    expires_at: formatTimestamp(r.expiresAt),
    job: jobView(r.payload),
  };
}

/** The live worker processes. */
export function workersView(core: ServerCore): Array<Record<string, unknown>> {
  return [...core.workers.all()].map((w) => ({
    wid: w.wid,
    hostname: w.hostname,
    pid: w.pid,
    labels: w.labels,
    state: w.state,
    connections: w.connections.size,
    started_at: new Date(w.startedAt).toISOString(),
    last_heartbeat: new Date(w.lastHeartbeat).toISOString(),
    rss_kb: w.rssKb,
  }));
}

/** `?page=N` (1-based, default 1); `undefined` when it is not a positive integer. */
export function pageOf(url: URL): number | undefined {
  const text = url.searchParams.get("page");
  if (text === null || text === "") return 1;
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return Math.max(1, Number(text));
}

/** Whether a job's JSON matches the list filters: exact `jobtype`, and `q` within the jid. */
function matches(entry: SortedEntry, jobtype: string, q: string): boolean {
  if (q !== "" && !entry.jid.includes(q)) return false;
  if (jobtype === "") return true;
  return jobView(entry.payload)["jobtype"] === jobtype;
}

/**
 * One page of a sorted set, optionally filtered. Unfiltered pages are read at their offset;
 * filtered ones scan the set a chunk at a time (never copying it whole).
 */
export function setPage(
  core: ServerCore,
  set: SetName,
  page: number,
  jobtype: string,
  q: string,
): { total: number; entries: SortedEntry[] } {
  const store = core.storage.sortedSet(set);
  const offset = (page - 1) * PAGE_SIZE;
  if (jobtype === "" && q === "") return { total: store.size(), entries: store.page(offset, PAGE_SIZE) };
  const entries: SortedEntry[] = [];
  let total = 0;
  for (let at = 0; ; at += 1000) {
    const chunk = store.page(at, 1000);
    for (const entry of chunk) {
      if (!matches(entry, jobtype, q)) continue;
      if (total >= offset && entries.length < PAGE_SIZE) entries.push(entry);
      total++;
    }
    if (chunk.length < 1000) break;
  }
  return { total, entries };
}

/** Where a jid is, looked up in the reservations, the three sets and the queues. */
export function findJob(core: ServerCore, jid: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const reservation = core.storage.getReservation(jid);
  if (reservation !== undefined) found.push({ where: "working", ...reservationView(reservation) });
  for (const set of ["retries", "scheduled", "dead"] as const) {
    const store = core.storage.sortedSet(set);
    for (let at = 0; ; at += 1000) {
      const chunk = store.page(at, 1000);
      for (const entry of chunk) if (entry.jid === jid) found.push({ where: set, ...entryView(entry) });
      if (chunk.length < 1000) break;
    }
  }
  for (const queue of core.storage.queueNames()) {
    for (let at = 0; ; at += 1000) {
      const chunk = core.storage.queueJobs(queue, at, 1000);
      for (const job of chunk)
        if (job.jid === jid) found.push({ where: "queue", queue, jid, job: jobView(job.payload) });
      if (chunk.length < 1000) break;
    }
  }
  return found;
}
