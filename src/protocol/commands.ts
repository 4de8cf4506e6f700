/**
 * One function per protocol command, each returning the exact line to write (`VERB[ arg]\r\n`)
 * with compact JSON arguments, and the decoders for the replies that carry data.
 * @module
 */
import { ProtocolError, ValidationError } from "./errors.js";
import type { Job } from "./job.js";
import type {
  BeatPayload,
  FailPayload,
  HelloPayload,
  HiPayload,
  MutateOperation,
  WorkerState,
} from "./messages.js";
import type { Reply } from "./resp-reader.js";

/** Builds a command line: the verb, an optional argument (a string as is, anything else as JSON), CRLF. */
export function encodeCommand(verb: string, arg?: string | object): string {
  if (arg === undefined) return `${verb}\r\n`;
  return `${verb} ${typeof arg === "string" ? arg : JSON.stringify(arg)}\r\n`;
}

/** `HELLO {...}` */
export const helloCommand = (payload: HelloPayload): string => encodeCommand("HELLO", payload);
/** `PUSH {job}` */
export const pushCommand = (job: Job<readonly unknown[]>): string => encodeCommand("PUSH", job);
/** `PUSHB [{job},...]` */
export const pushBulkCommand = (jobs: readonly Job<readonly unknown[]>[]): string =>
  encodeCommand("PUSHB", jobs);
/** `ACK {"jid":...}` */
export const ackCommand = (jid: string): string => encodeCommand("ACK", { jid });
/** `FAIL {...}` */
export const failCommand = (payload: FailPayload): string => encodeCommand("FAIL", payload);
/** `BEAT {...}` */
export const beatCommand = (payload: BeatPayload): string => encodeCommand("BEAT", payload);
/** `INFO` */
export const infoCommand = (): string => "INFO\r\n";
/** `FLUSH` */
export const flushCommand = (): string => "FLUSH\r\n";
/** `END` */
export const endCommand = (): string => "END\r\n";
/**
 * `MUTATE {...}`. The server splits the line on spaces and wants exactly two parts, so the JSON
 * must hold no space: JSON.stringify writes none between tokens, and a space inside a string
 * (a job type, a glob) is written as the JSON escape `\u0020`, which decodes to the same text.
 */
export const mutateCommand = (op: MutateOperation): string =>
  `MUTATE ${JSON.stringify(op).replace(/ /g, "\\u0020")}\r\n`;

/** Checks a list of queue names for a command that takes them space-separated. */
export function checkQueueNames(queues: readonly string[], what: string): void {
  if (queues.length === 0)
    throw new ValidationError(`${what} must be called with one or more queue names`, "queues");
  for (const q of queues)
    if (q === "" || /\s/.test(q))
      throw new ValidationError(`invalid queue name ${JSON.stringify(q)}`, "queues");
}

/** `FETCH q1 q2 ...` (at least one queue). */
export function fetchCommand(queues: readonly string[]): string {
  checkQueueNames(queues, "FETCH");
  return `FETCH ${queues.join(" ")}\r\n`;
}

/** Subcommands of `QUEUE`. */
export type QueueSubcommand = "PAUSE" | "RESUME" | "REMOVE" | "LATENCY";

/** `QUEUE PAUSE|RESUME|REMOVE|LATENCY names...`; `"*"` alone means every queue (not for LATENCY). */
export function queueCommand(sub: QueueSubcommand, queues: readonly string[]): string {
  if (!(queues.length === 1 && queues[0] === "*" && sub !== "LATENCY"))
    checkQueueNames(queues, `QUEUE ${sub}`);
  return `QUEUE ${sub} ${queues.join(" ")}\r\n`;
}

/** Parses the greeting line's JSON (after `HI `). */
export function parseHi(text: string): HiPayload {
  if (!text.startsWith("HI "))
    throw new ProtocolError(`expected HI greeting, got ${JSON.stringify(text.slice(0, 80))}`);
  let hi: unknown;
  try {
    hi = JSON.parse(text.slice(3));
  } catch (cause) {
    throw new ProtocolError(`malformed HI greeting ${JSON.stringify(text.slice(0, 80))}`, { cause });
  }
  if (hi === null || typeof hi !== "object" || typeof (hi as HiPayload).v !== "number")
    throw new ProtocolError(`malformed HI greeting ${JSON.stringify(text.slice(0, 80))}`);
  return hi as HiPayload;
}

/**
 * Decodes a BEAT reply: `+OK` means keep running; a (simple or bulk) `{"state":"quiet"}` or
 * `{"state":"terminate"}` is an instruction from the server.
 */
export function parseBeatReply(reply: Reply): WorkerState {
  if (reply.kind === "simple" && reply.value === "OK") return "running";
  if (reply.kind === "simple" || reply.kind === "bulk") {
    let doc: unknown;
    try {
      doc = JSON.parse(reply.value);
    } catch (cause) {
      throw new ProtocolError(`malformed BEAT reply ${JSON.stringify(reply.value.slice(0, 80))}`, { cause });
    }
    const state = (doc as { state?: unknown } | null)?.state;
    if (state === "quiet" || state === "terminate" || state === "running") return state;
    throw new ProtocolError(`unknown worker state in BEAT reply ${JSON.stringify(reply.value.slice(0, 80))}`);
  }
  throw new ProtocolError(`unexpected BEAT reply of kind ${reply.kind}`);
}

/** Decodes a bulk JSON reply (INFO, PUSHB, QUEUE LATENCY, FETCH); `null` for `$-1`. */
export function parseJsonReply<T>(reply: Reply, what: string): T | null {
  if (reply.kind === "null") return null;
  if (reply.kind !== "bulk" && reply.kind !== "simple")
    throw new ProtocolError(`unexpected ${reply.kind} reply to ${what}`);
  try {
    return JSON.parse(reply.value) as T;
  } catch (cause) {
    throw new ProtocolError(
      `malformed JSON in reply to ${what}: ${JSON.stringify(reply.value.slice(0, 80))}`,
      { cause },
    );
  }
}
