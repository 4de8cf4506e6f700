/**
 * FETCH: strict queue order, FIFO within a queue, blocking up to 2 s on all the queues given,
 * woken at once by a push (no polling).
 * @module
 */
import { encodeBulk, NULL_BYTES } from "../../protocol/index.js";
import type { FetchWaiter } from "../fetch-waiters.js";
import type { CommandHandler, Reply } from "./types.js";
import { errorReply } from "./types.js";

/** How long FETCH blocks before answering `$-1`. */
export const FETCH_TIMEOUT_MS = 2000;

/** Queue lists of recent FETCH lines (a worker sends the same line again and again); never mutated. */
const namesByLine = new Map<string, readonly string[]>();
const MAX_CACHED_LINES = 256;

/** The queue names of a FETCH line (`line.split(" ").slice(1)`), from the cache when seen before. */
function queueNames(line: string): readonly string[] {
  let names = namesByLine.get(line);
  if (names === undefined) {
    names = line.split(" ").slice(1);
    if (line.length <= 1024) {
      if (namesByLine.size >= MAX_CACHED_LINES) namesByLine.clear();
      namesByLine.set(line, names);
    }
  }
  return names;
}

/** `FETCH q1 q2 ...` → bulk job JSON, or `$-1` after 2 s. */
export const fetch: CommandHandler = ({ core, session }, line) => {
  const names = queueNames(line);
  if (names.length === 0) return errorReply("must call fetch with at least one queue");
  const { clock } = core;
  const worker = session.wid === "" ? undefined : core.workers.get(session.wid);
  if (worker !== undefined && worker.state !== "running") {
    // Quiet or terminated workers get no new jobs: wait, then nothing.
    return new Promise<Reply>((resolve) => {
      const timer = clock.setTimeout(() => {
        session.cancelWait = undefined;
        resolve(NULL_BYTES);
      }, FETCH_TIMEOUT_MS);
      session.cancelWait = () => {
        clock.clearTimeout(timer);
        resolve(NULL_BYTES);
      };
    });
  }
  const job = core.take(names);
  if (job !== undefined) return encodeBulk(core.reserve(job, session.wid));
  return new Promise<Reply>((resolve) => {
    const waiter: FetchWaiter = {
      queues: names.length === 1 ? names : [...new Set(names)],
      deliver(found) {
        clock.clearTimeout(timer);
        session.cancelWait = undefined;
        resolve(encodeBulk(core.reserve(found, session.wid)));
      },
    };
    const timer = clock.setTimeout(() => {
      core.waiters.remove(waiter);
      session.cancelWait = undefined;
      resolve(NULL_BYTES);
    }, FETCH_TIMEOUT_MS);
    core.waiters.add(waiter);
    session.cancelWait = () => {
      clock.clearTimeout(timer);
      core.waiters.remove(waiter);
      resolve(NULL_BYTES);
    };
  });
};
