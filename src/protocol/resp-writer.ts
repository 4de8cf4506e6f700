/**
 * Server-to-client RESP encoding, exactly as Faktory writes it (`+OK`, `-ERR msg`, `$N` bulk by
 * byte length, `$-1` null). Used by the embedded server and the scripted test servers.
 * @module
 */

/** `+OK\r\n`, the most common reply. */
export const OK_BYTES: Buffer = Buffer.from("+OK\r\n");
/** `$-1\r\n`, the null bulk string (an empty FETCH). */
export const NULL_BYTES: Buffer = Buffer.from("$-1\r\n");

/** A simple string reply, `+text\r\n`. */
export function encodeSimple(text: string): string {
  return `+${text}\r\n`;
}

/** An error reply, `-CODE message\r\n`. Line breaks in the message are replaced by spaces. */
export function encodeError(code: string, message: string): string {
  return `-${code} ${message.replace(/[\r\n]+/g, " ")}\r\n`;
}

/** A bulk string reply; `$N` counts bytes, not characters. */
export function encodeBulk(value: string): string {
  return `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
}

/** An integer reply, `:n\r\n`. */
export function encodeInteger(n: number): string {
  return `:${Math.trunc(n)}\r\n`;
}
