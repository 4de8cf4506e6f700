/**
 * The shape of a command handler and the reply helpers shared by all commands.
 * @module
 */
import { encodeError } from "../../protocol/index.js";
import type { ServerCore } from "../core.js";

/** Bytes to write back. */
export type Reply = string | Buffer;

/** Returned by a handler to close the connection without a reply (`END`). */
export const CLOSE: unique symbol = Symbol("close");

/** What a handler returns: a reply now, a reply later (blocking FETCH), or {@link CLOSE}. */
export type CommandResult = Reply | Promise<Reply> | typeof CLOSE;

/** The connection a command runs on, as commands see it. */
export interface Session {
  /** Worker id from HELLO; `""` for a producer connection. */
  readonly wid: string;
  /** Set by a blocked command; called (once) if the connection closes while it waits. */
  cancelWait: (() => void) | undefined;
}

/** Everything a command handler may use. */
export interface CommandContext {
  /** The job engine. */
  readonly core: ServerCore;
  /** The calling connection. */
  readonly session: Session;
}

/** A command: gets the whole line (verb included), like the reference's fixed slicing. */
export type CommandHandler = (ctx: CommandContext, line: string) => CommandResult;

/** Longest error message sent; longer ones (e.g. quoting a huge queue name) are cut. */
export const MAX_ERROR_MESSAGE = 1000;

/** Cuts a message to {@link MAX_ERROR_MESSAGE} characters. */
export function capMessage(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE ? message : `${message.slice(0, MAX_ERROR_MESSAGE)}...`;
}

/** `-ERR <message>`, the message capped so client input is never echoed without bound. */
export function errorReply(message: string): string {
  return encodeError("ERR", capMessage(message));
}

/** The reply the reference gives when a handler panics (e.g. a missing argument). */
export const INTERNAL_ERROR = "-ERR internal error\r\n";

/** Longest piece of client input echoed back in an error. */
export const MAX_ECHO = 200;

/** Client input made safe to echo: cut to {@link MAX_ECHO} characters. */
export function echo(text: string): string {
  return text.length <= MAX_ECHO ? text : `${text.slice(0, MAX_ECHO)}...`;
}

/**
 * The argument after a fixed-width verb (`PUSH ` → 5), or `undefined` when the line is too
 * short, where the reference's slice would panic (→ {@link INTERNAL_ERROR}).
 */
export function argumentAfter(line: string, offset: number): string | undefined {
  return line.length < offset ? undefined : line.slice(offset);
}
