/**
 * ACK.
 * @module
 */
import { OK_BYTES } from "../../protocol/index.js";
import { argumentAfter, type CommandHandler, echo, errorReply, INTERNAL_ERROR } from "./types.js";

/** `{"jid":"..."}` with no escapes: the ACK every client sends. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are invalid in JSON strings, so such lines take the JSON.parse path
const PLAIN_ACK = /^\{"jid":"([^"\\\u0000-\u001f]*)"\}$/;

/** Parses ACK's `map[string]string`; `undefined` when invalid or without `jid`. */
function ackJid(text: string): string | undefined {
  const plain = PLAIN_ACK.exec(text);
  if (plain !== null) return plain[1]!;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const map = value as Record<string, unknown>;
  for (const v of Object.values(map)) if (typeof v !== "string" && v !== null) return undefined;
  if (!Object.hasOwn(map, "jid")) return undefined;
  return (map.jid as string | null) ?? "";
}

/** `ACK {"jid":"..."}` → `+OK` (also for an unknown jid). */
export const ack: CommandHandler = ({ core }, line) => {
  const arg = argumentAfter(line, 4);
  if (arg === undefined) return INTERNAL_ERROR;
  const jid = ackJid(arg);
  if (jid === undefined) return errorReply(`invalid ACK ${echo(arg)}`);
  core.ack(jid);
  return OK_BYTES;
};
