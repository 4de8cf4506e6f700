/**
 * PUSH and PUSHB.
 * @module
 */
import { encodeBulk, formatTimestamp, goStringify, OK_BYTES } from "../../protocol/index.js";
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
  return problem === undefined ? OK_BYTES : errorReply(problem);
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
  // A null prototype, so that a refused job with the jid "__proto__" is reported like any other.
  const errors: Record<string, string> = Object.create(null);
  for (const job of jobs) {
    const problem = core.push(job, createdAt);
    if (problem !== undefined) errors[job.jid] = capMessage(problem);
  }
  return encodeBulk(goStringify(errors));
};
