/**
 * PUSH and PUSHB.
 * @module
 */
import { encodeBulk, encodeError, formatTimestamp, goStringify, OK_BYTES } from "../../protocol/index.js";
import { GoTypeError } from "../jobs/go-decode.js";
import { decodeJob, decodeJobList, type ServerJob } from "../jobs/job-codec.js";
import { argumentAfter, type CommandHandler, capMessage, errorReply, INTERNAL_ERROR } from "./types.js";

function invalidJson(err: unknown): string {
  if (err instanceof GoTypeError) return errorReply(`invalid JSON: ${err.message}`);
  throw err;
}

/** `PUSH {job}` → `+OK`, or the validation error. */
export const push: CommandHandler = ({ core }, line) => {
  const arg = argumentAfter(line, 5);
  if (arg === undefined) return INTERNAL_ERROR;
  let job: ServerJob;
  try {
    job = decodeJob(arg);
  } catch (err) {
    return invalidJson(err);
  }
  const problem = core.push(job);
  if (problem === undefined) return OK_BYTES;
  return typeof problem === "string" ? errorReply(problem) : encodeError(problem.code, problem.message);
};

/** `PUSHB [{job},...]` → bulk JSON map of jid → error for the rejected jobs (`{}` if none). */
export const pushBulk: CommandHandler = ({ core }, line) => {
  const arg = argumentAfter(line, 6);
  if (arg === undefined) return INTERNAL_ERROR;
  let jobs: ServerJob[];
  try {
    jobs = decodeJobList(arg);
  } catch (err) {
    return invalidJson(err);
  }
  const createdAt = formatTimestamp(core.clock.now());
  // No prototype: a job whose jid is "__proto__" must become a key like any other.
  const errors: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const job of jobs) {
    const problem = core.push(job, createdAt);
    if (problem !== undefined)
      errors[job.jid] = capMessage(
        typeof problem === "string" ? problem : `${problem.code} ${problem.message}`,
      );
  }
  return encodeBulk(goStringify(errors));
};
