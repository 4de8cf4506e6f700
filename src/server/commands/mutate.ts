/**
 * MUTATE.
 * @module
 */
import { OK_BYTES } from "../../protocol/index.js";
import { GoTypeError } from "../jobs/go-decode.js";
import { decodeMutate, type MutateRequest, runMutate } from "../mutate/mutate.js";
import { type CommandHandler, errorReply } from "./types.js";

/** `MUTATE {json}` (the JSON must contain no space) → `+OK`. */
export const mutate: CommandHandler = ({ core }, line) => {
  const parts = line.split(" ");
  if (parts.length !== 2) return errorReply("invalid format");
  let request: MutateRequest;
  try {
    request = decodeMutate(parts[1]!);
  } catch (err) {
    if (err instanceof GoTypeError) return errorReply(`invalid JSON: ${err.message}`);
    throw err;
  }
  const problem = runMutate(core, request);
  return problem === undefined ? OK_BYTES : errorReply(problem);
};
