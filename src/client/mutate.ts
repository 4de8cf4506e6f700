/**
 * MUTATE operations on the retry, scheduled and dead sets: building and checking them.
 * @module
 */
import { mutateCommand } from "../protocol/commands.js";
import { ValidationError } from "../protocol/errors.js";
import type { MutateCommand, MutateFilter, MutateOperation, MutateTarget } from "../protocol/messages.js";

const TARGETS: readonly MutateTarget[] = ["retries", "scheduled", "dead"];
const COMMANDS: readonly MutateCommand[] = ["clear", "kill", "discard", "requeue"];

/**
 * Checks a MUTATE operation and returns a normalised copy: keys in the order the Go client
 * writes them (`cmd`, `target`, `filter`), empty filter fields dropped, no filter at all for
 * `clear` (the server ignores it) or when nothing is left.
 * @throws ValidationError for an unknown `cmd` or `target` or a malformed filter.
 */
export function normalizeMutation(op: MutateOperation): MutateOperation {
  if (!COMMANDS.includes(op.cmd))
    throw new ValidationError(`unknown mutate operation ${JSON.stringify(op.cmd)}`, "cmd");
  if (!TARGETS.includes(op.target))
    throw new ValidationError(
      `invalid mutate target ${JSON.stringify(op.target)}: use "retries", "scheduled" or "dead"`,
      "target",
    );
  const out: MutateOperation = { cmd: op.cmd, target: op.target };
  if (op.cmd === "clear" || op.filter === undefined) return out;
  const filter = normalizeFilter(op.filter);
  if (filter !== undefined) out.filter = filter;
  return out;
}

function normalizeFilter(filter: MutateFilter): MutateFilter | undefined {
  if (filter === null || typeof filter !== "object")
    throw new ValidationError("a mutate filter must be an object", "filter");
  const out: MutateFilter = {};
  if (filter.jids !== undefined) {
    if (!Array.isArray(filter.jids) || filter.jids.some((j) => typeof j !== "string" || j === ""))
      throw new ValidationError("filter.jids must be an array of non-empty strings", "filter.jids");
    if (filter.jids.length > 0) out.jids = [...filter.jids];
  }
  if (filter.jobtype !== undefined) {
    if (typeof filter.jobtype !== "string")
      throw new ValidationError("filter.jobtype must be a string", "filter.jobtype");
    if (filter.jobtype !== "") out.jobtype = filter.jobtype;
  }
  if (filter.regexp !== undefined) {
    if (typeof filter.regexp !== "string")
      throw new ValidationError(
        "filter.regexp must be a string (a Redis glob such as *abc*)",
        "filter.regexp",
      );
    if (filter.regexp !== "") out.regexp = filter.regexp;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * The exact `MUTATE` line for an operation (after {@link normalizeMutation}). The JSON is
 * compact; a space inside a string (a glob such as `*hello world*`) is written as the JSON
 * escape `\u0020`, because the server splits the line on spaces. The server's JSON decoder
 * turns the escape back into a space, so the filter means exactly what was given.
 */
export function mutationLine(op: MutateOperation): string {
  return mutateCommand(normalizeMutation(op));
}

/** `op` with `filter` set on it when one is given (no filter: the whole set). */
export function withFilter(op: MutateOperation, filter: MutateFilter | undefined): MutateOperation {
  if (filter !== undefined) op.filter = filter;
  return op;
}
