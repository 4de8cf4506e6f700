/**
 * MUTATE: bulk operations (`clear`, `kill`, `discard`, `requeue`) on the `retries`,
 * `scheduled` and `dead` sets, selected by a filter of jids, job type and/or a Redis glob over
 * the stored job JSON.
 * @module
 */
import { DEAD_TTL_MS, goEscape, type MutateFilter, queueNameProblem } from "../../protocol/index.js";
import type { ServerCore } from "../core.js";
import { decodeStruct, GoTypeError, jsonTypeName, parseJson } from "../jobs/go-decode.js";
import { parseStoredJob } from "../jobs/job-codec.js";
import type { SetName, SortedEntry } from "../storage/storage.js";
import { compileGlob } from "./glob.js";

/** A decoded MUTATE document (cmd and target not yet checked). */
export interface MutateRequest {
  /** Operation name. */
  cmd: string;
  /** Target set name. */
  target: string;
  /** Selection; `undefined` means every job. */
  filter: MutateFilter | undefined;
}

/** Decodes the MUTATE JSON; throws {@link GoTypeError} for bad JSON or field types. */
export function decodeMutate(text: string): MutateRequest {
  const value = parseJson(text);
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new GoTypeError(
      `json: cannot unmarshal ${jsonTypeName(value)} into Go value of type client.Operation`,
    );
  const op = decodeStruct(
    value as Record<string, unknown>,
    { cmd: "string", target: "string", filter: "object" },
    "Operation",
  );
  let filter: MutateFilter | undefined;
  if (op.filter !== undefined) {
    const f = decodeStruct(
      op.filter as Record<string, unknown>,
      { jids: "strings", jobtype: "string", regexp: "string" },
      "Operation.filter",
    );
    filter = {};
    if (f.jids !== undefined) filter.jids = f.jids as string[];
    if (f.jobtype) filter.jobtype = f.jobtype as string;
    if (f.regexp) filter.regexp = f.regexp as string;
  }
  return {
    cmd: (op.cmd as string | undefined) ?? "",
    target: (op.target as string | undefined) ?? "",
    filter,
  };
}

/** Builds the predicate a filter stands for. */
export function filterPredicate(filter: MutateFilter | undefined): (entry: SortedEntry) => boolean {
  if (filter === undefined) return () => true;
  if (filter.jids !== undefined && filter.jids.length > 0) {
    const jids = new Set(filter.jids);
    return (entry) => jids.has(entry.jid);
  }
  const glob = filter.regexp ? compileGlob(filter.regexp) : undefined;
  const jobtype = filter.jobtype ? `"jobtype":${goEscape(JSON.stringify(filter.jobtype))}` : undefined;
  return (entry) =>
    (glob === undefined || glob.test(entry.payload)) &&
    (jobtype === undefined || entry.payload.includes(jobtype));
}

function isTarget(target: string): target is SetName {
  return target === "retries" || target === "scheduled" || target === "dead";
}

/** Runs a MUTATE; returns the error text, or `undefined` on success. */
export function runMutate(core: ServerCore, request: MutateRequest): string | undefined {
  if (!isTarget(request.target)) return "invalid target for mutation command";
  const set = core.storage.sortedSet(request.target);
  const { cmd, filter } = request;
  if (cmd !== "clear" && cmd !== "kill" && cmd !== "discard" && cmd !== "requeue")
    return "unknown mutate operation";
  if (cmd === "clear" || (cmd === "discard" && filter === undefined)) {
    if (core.extension !== undefined) for (const entry of set.entries()) core.extension.onRemoved(entry.jid);
    set.clear();
    core.rearm();
    return undefined;
  }
  const matches = set.entries().filter(filterPredicate(filter));
  const now = core.clock.now();
  const dead = core.storage.sortedSet("dead");
  for (const entry of matches) {
    if (cmd === "discard") {
      set.remove(entry.id);
      core.extension?.onRemoved(entry.jid);
    } else if (cmd === "kill") {
      set.remove(entry.id);
      dead.add(now + DEAD_TTL_MS, entry.jid, entry.payload);
    } else {
      const job = parseStoredJob(entry.payload);
      const queue = job.queue;
      const problem = queueNameProblem(queue);
      if (problem !== undefined) {
        core.logger.warn(`Cannot requeue job ${entry.jid}: ${problem}`);
        continue;
      }
      set.remove(entry.id);
      // The stored bytes go back as they are: enqueued_at is not refreshed (as the reference).
      core.enqueueRaw(queue, { jid: entry.jid, payload: entry.payload, reserveFor: job.reserve_for });
    }
  }
  core.rearm();
  return undefined;
}
