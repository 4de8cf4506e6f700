/**
 * What the dashboard's buttons do, shared by the JSON API and Faktory's form routes: act on
 * sorted-set entries addressed by key (`<RFC 3339 score>|<jid>`, as Faktory), and on queues.
 * Bulk actions on `all` loop until the set is empty (Faktory moved only part of a large set
 * per click), and keys are matched on both score and jid (Faktory matched a lone score alone).
 * @module
 */
import { DEAD_TTL_MS, formatTimestamp, parseTimestamp } from "../../protocol/index.js";
import type { ServerCore } from "../core.js";
import { parseStoredJob } from "../jobs/job-codec.js";
import type { SetName, SortedEntry } from "../storage/storage.js";

/** The actions on sorted-set entries (`add_to_queue` is Faktory's name for retry on scheduled). */
export const SET_ACTIONS = ["retry", "add_to_queue", "delete", "kill"] as const;
/** One of {@link SET_ACTIONS}. */
export type SetAction = (typeof SET_ACTIONS)[number];

/** The actions on a queue (`delete` and `clear` both remove the queue and its jobs). */
export const QUEUE_ACTIONS = ["pause", "resume", "delete", "clear"] as const;
/** One of {@link QUEUE_ACTIONS}. */
export type QueueAction = (typeof QUEUE_ACTIONS)[number];

/** Whether `text` is a {@link SetAction}. */
export function isSetAction(text: string): text is SetAction {
  return (SET_ACTIONS as readonly string[]).includes(text);
}

/** Whether `text` is a {@link QueueAction}. */
export function isQueueAction(text: string): text is QueueAction {
  return (QUEUE_ACTIONS as readonly string[]).includes(text);
}

/** The key that addresses an entry in URLs and forms. */
export function entryKey(entry: SortedEntry): string {
  return `${formatTimestamp(entry.score)}|${entry.jid}`;
}

/** The score and jid of a key, or `undefined` when it is not `<timestamp>|<jid>`. */
export function parseKey(key: string): { score: number; jid: string } | undefined {
  const bar = key.indexOf("|");
  if (bar === -1 || key.indexOf("|", bar + 1) !== -1) return undefined;
  const score = parseTimestamp(key.slice(0, bar));
  const jid = key.slice(bar + 1);
  return score === undefined || jid === "" ? undefined : { score, jid };
}

/** The entry of `set` that `key` addresses. */
export function findEntry(core: ServerCore, set: SetName, key: string): SortedEntry | undefined {
  const parsed = parseKey(key);
  return parsed === undefined ? undefined : core.storage.sortedSet(set).find(parsed.score, parsed.jid);
}

function apply(core: ServerCore, set: SetName, entry: SortedEntry, action: SetAction): void {
  const store = core.storage.sortedSet(set);
  if (action === "kill" && set === "dead") return; // already dead
  store.remove(entry.id);
  if (action === "retry" || action === "add_to_queue") core.enqueue(parseStoredJob(entry.payload));
  else if (action === "kill")
    core.storage.sortedSet("dead").add(core.clock.now() + DEAD_TTL_MS, entry.jid, entry.payload);
}

/**
 * Applies `action` to the entries of `set` addressed by `keys` (unknown keys are skipped), or to
 * every entry for `"all"`. Returns how many entries were acted on.
 */
export function actOnSet(
  core: ServerCore,
  set: SetName,
  action: SetAction,
  keys: readonly string[] | "all",
): number {
  let count = 0;
  const store = core.storage.sortedSet(set);
  if (keys === "all") {
    if (action === "delete") {
      count = store.size();
      store.clear();
    } else if (!(action === "kill" && set === "dead")) {
      for (let batch = store.page(0, 1000); batch.length > 0; batch = store.page(0, 1000))
        for (const entry of batch) {
          apply(core, set, entry, action);
          count++;
        }
    }
  } else {
    for (const key of keys) {
      const entry = findEntry(core, set, key);
      if (entry === undefined) continue;
      apply(core, set, entry, action);
      count++;
    }
  }
  core.rearm();
  return count;
}

/** Pauses, resumes or removes a queue. */
export function actOnQueue(core: ServerCore, queue: string, action: QueueAction): void {
  if (action === "pause") core.pause([queue]);
  else if (action === "resume") core.resume([queue]);
  else core.remove([queue]);
}

/** Deletes queued jobs of `queue` by jid; returns how many were there. */
export function deleteQueuedJobs(core: ServerCore, queue: string, jids: readonly string[]): number {
  let count = 0;
  for (const jid of jids) if (core.storage.removeQueuedJob(queue, jid)) count++;
  return count;
}
