/**
 * The JSON object argument of an Enterprise command (`BATCH NEW {...}`, `TRACK SET {...}`).
 * @module
 */
import { errorReply } from "../commands/types.js";

/** Whether `value` is a JSON object (not `null`, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The parsed object, or the error reply (`invalid JSON: …`) to send; `notObject` says what was expected. */
export function parseObjectArg(
  arg: string,
  notObject: string,
): { body: Record<string, unknown> } | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(arg);
  } catch (err) {
    return { error: errorReply(`invalid JSON: ${(err as Error).message}`) };
  }
  return isObject(body) ? { body } : { error: errorReply(`invalid JSON: ${notObject}`) };
}
