/**
 * QUEUE PAUSE | RESUME | REMOVE | LATENCY.
 * @module
 */
import { encodeBulk, goStringify, OK_BYTES } from "../../protocol/index.js";
import { type CommandHandler, echo, errorReply, INTERNAL_ERROR } from "./types.js";

/** `QUEUE <sub> <name...>|*` (subcommand case-insensitive). */
export const queue: CommandHandler = ({ core }, line) => {
  const parts = line.split(" ");
  if (parts.length < 2) return INTERNAL_ERROR;
  const sub = parts[1]!.toUpperCase();
  const names = parts.slice(2);
  switch (sub) {
    case "PAUSE":
    case "RESUME":
    case "REMOVE":
    case "LATENCY":
      break;
    default:
      return errorReply(`no such QUEUE subcommand: ${echo(sub)}`);
  }
  if (names.length === 0) return INTERNAL_ERROR;
  if (sub === "PAUSE") core.pause(names);
  else if (sub === "RESUME") core.resume(names);
  else if (sub === "REMOVE") core.remove(names);
  else {
    if (names.includes("*")) return errorReply("QUEUE LATENCY does not support wildcards");
    return encodeBulk(goStringify(core.latency(names)));
  }
  return OK_BYTES;
};
