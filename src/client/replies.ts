/**
 * Checking the replies of the client's commands: `+OK`, the INFO document and QUEUE LATENCY's
 * object. Anything else is a {@link ProtocolError}.
 * @module
 */
import { parseJsonReply } from "../protocol/commands.js";
import { ProtocolError } from "../protocol/errors.js";
import type { FaktoryInfo } from "../protocol/messages.js";
import type { Reply } from "../protocol/resp-reader.js";

/**
 * Returns when `reply` is `+OK`, else throws a {@link ProtocolError} naming the command
 * (`what`) and quoting the start of the reply.
 */
export function expectOk(reply: Reply, what: string): void {
  if (reply.kind === "simple" && reply.value === "OK") return;
  const shown =
    reply.kind === "simple" || reply.kind === "bulk" ? ` ${JSON.stringify(reply.value.slice(0, 80))}` : "";
  throw new ProtocolError(`unexpected ${reply.kind} reply${shown} to ${what}, expected +OK`);
}

/** The INFO reply as a {@link FaktoryInfo}; a {@link ProtocolError} unless it has a `faktory` object. */
export function infoFromReply(reply: Reply): FaktoryInfo {
  const doc = parseJsonReply<FaktoryInfo>(reply, "INFO");
  if (doc === null || typeof doc !== "object" || doc.faktory === null || typeof doc.faktory !== "object")
    throw new ProtocolError("INFO reply is not a Faktory state document");
  return doc;
}

/** The QUEUE LATENCY reply: an object of numbers, else a {@link ProtocolError}. */
export function latencyFromReply(reply: Reply): Record<string, number> {
  const doc = parseJsonReply<unknown>(reply, "QUEUE LATENCY");
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new ProtocolError("QUEUE LATENCY reply is not a JSON object");
  for (const value of Object.values(doc))
    if (typeof value !== "number") throw new ProtocolError("QUEUE LATENCY reply holds a non-number");
  return doc as Record<string, number>;
}
