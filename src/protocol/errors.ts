/**
 * The error tree of faktory-ts. Every error the library throws is a {@link FaktoryError} with a
 * stable `code`, so callers can branch on `err.code` or on `instanceof`.
 *
 * ```text
 * FaktoryError
 * ├── ConfigurationError   bad URL, bad FAKTORY_PROVIDER, bad option
 * ├── ValidationError      a job or argument refused before anything was sent
 * ├── ConnectionError      socket closed, refused, reset, or timed out
 * │   └── TimeoutError     connect, handshake or reply deadline passed
 * ├── AuthenticationError  wrong or missing password
 * ├── ProtocolError        the peer sent bytes that are not valid RESP / FWP
 * ├── ServerError          the server answered `-CODE message`
 * └── StateError           an object used in the wrong state (closed client, stopped worker)
 * ```
 * @module
 */

/** Codes carried by {@link FaktoryError.code}. */
export type FaktoryErrorCode =
  | "CONFIGURATION"
  | "VALIDATION"
  | "CONNECTION"
  | "TIMEOUT"
  | "AUTHENTICATION"
  | "PROTOCOL"
  | "SERVER"
  | "STATE";

/** Base class of every error raised by faktory-ts. */
export class FaktoryError extends Error {
  /** A stable, machine-readable code naming the kind of failure. */
  readonly code: FaktoryErrorCode | string;

  constructor(code: FaktoryErrorCode | string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A URL, environment variable or option is not usable. */
export class ConfigurationError extends FaktoryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIGURATION", message, options);
  }
}

/** A job or an argument was refused locally; nothing was sent to the server. */
export class ValidationError extends FaktoryError {
  /** The field at fault, when there is one (e.g. `"jid"`, `"queue"`). */
  readonly field: string | undefined;

  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super("VALIDATION", message, options);
    this.field = field;
  }
}

/** The connection to the server failed, closed or was never made. */
export class ConnectionError extends FaktoryError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "CONNECTION", message, options);
  }
}

/** A connect, handshake or reply deadline passed. */
export class TimeoutError extends ConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "TIMEOUT" });
  }
}

/** The server refused the password (or one was required and none was given). */
export class AuthenticationError extends FaktoryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("AUTHENTICATION", message, options);
  }
}

/** The peer sent something that is not valid RESP or not what the protocol allows here. */
export class ProtocolError extends FaktoryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("PROTOCOL", message, options);
  }
}

/**
 * The server answered a command with an error reply, `-CODE message`.
 * `serverCode` is the server's code (`ERR`, `NOTUNIQUE`, ...), `serverMessage` its text.
 */
export class ServerError extends FaktoryError {
  /** The code the server sent, e.g. `"ERR"` or `"NOTUNIQUE"`. */
  readonly serverCode: string;
  /** The message the server sent after the code. */
  readonly serverMessage: string;

  constructor(serverCode: string, serverMessage: string) {
    super("SERVER", serverMessage.length > 0 ? `${serverCode} ${serverMessage}` : serverCode);
    this.serverCode = serverCode;
    this.serverMessage = serverMessage;
  }
}

/**
 * A push refused because an equal unique job (same jobtype, args and queue, pushed with
 * `uniqueFor`) still holds its lock: the server said `-NOTUNIQUE <message>` (Faktory Enterprise).
 */
export class NotUniqueError extends ServerError {
  constructor(serverMessage: string) {
    super("NOTUNIQUE", serverMessage);
  }
}

/** An object was used in a state that does not allow it (a closed client, a stopped worker). */
export class StateError extends FaktoryError {
  constructor(message: string) {
    super("STATE", message);
  }
}

/**
 * Whether `error` is the reply of a server that is stopping (`-ERR shutdown in progress`, from
 * Faktory and the embedded server): the command was not applied and the connection closes, so
 * sending it again once the server is back is safe.
 * @example
 * ```ts
 * isShutdownInProgress(new ServerError("ERR", "shutdown in progress")); // true
 * ```
 */
export function isShutdownInProgress(error: unknown): boolean {
  return error instanceof ServerError && /^shutdown in progress\b/i.test(error.serverMessage);
}
