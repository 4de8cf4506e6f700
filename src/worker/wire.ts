/**
 * What the worker needs from a connection, and which connection errors are worth retrying.
 * @module
 */
import type { Connection } from "../connection/connection.js";
import { AuthenticationError, ConfigurationError, ValidationError } from "../protocol/errors.js";

/** The part of a `Connection` the worker uses (a narrower type keeps the worker testable). */
export type WireConnection = Pick<Connection, "send" | "sendBatch" | "end" | "destroy" | "closed" | "state">;

/** Opens a new connection that has said HELLO with the worker's identity. */
export type Connector = () => Promise<WireConnection>;

/**
 * Whether an error is one that reconnecting cannot fix (a wrong password, a bad URL, an invalid
 * option): the worker stops with reason `"error"` instead of retrying forever.
 * @example
 * ```ts
 * isIrrecoverable(new AuthenticationError("wrong password")); // true
 * isIrrecoverable(new ConnectionError("ECONNRESET"));         // false
 * ```
 */
export function isIrrecoverable(error: unknown): boolean {
  return (
    error instanceof AuthenticationError ||
    error instanceof ConfigurationError ||
    error instanceof ValidationError
  );
}

/** A promise handler that ignores a rejection (for promises awaited later, or never). */
export const ignoreRejection = (): void => {};
