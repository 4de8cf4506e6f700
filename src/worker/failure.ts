/**
 * Turning whatever a handler threw into a FAIL payload: error type, message and backtrace
 * (stack frames, then the `cause` chain), cut to the limits the server applies.
 * @module
 */
import type { FailPayload } from "../protocol/messages.js";
import { FAIL_LIMITS } from "../protocol/messages.js";
import { truncateUtf8 } from "../protocol/utf8.js";

export { truncateUtf8 };

/** How deep {@link failureFromError} follows `cause` (and `AggregateError.errors`). */
const MAX_CAUSE_DEPTH = 8;

/**
 * The error type reported for a thrown value: the error's `name`, or its class name when the
 * class did not set `name` (a plain `class Oops extends Error {}` reports `Oops`); `NonError`
 * for values that are not errors (`throw "text"`).
 * @example
 * ```ts
 * errorTypeOf(new TypeError("x")); // "TypeError"
 * errorTypeOf("boom");             // "NonError"
 * ```
 */
export function errorTypeOf(error: unknown): string {
  if (!(error instanceof Error)) {
    if (isErrorLike(error)) return error.name;
    return "NonError";
  }
  const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (error.name === "Error" && typeof ctor === "string" && ctor !== "" && ctor !== "Error") return ctor;
  return error.name || "Error";
}

/**
 * The message reported for a thrown value: an error's `message`, or a readable rendering of
 * anything else.
 * @example
 * ```ts
 * errorMessageOf(new Error("disk full")); // "disk full"
 * errorMessageOf({ code: 42 });           // '{"code":42}'
 * ```
 */
export function errorMessageOf(error: unknown): string {
  if (error instanceof Error || isErrorLike(error)) return String(error.message);
  if (typeof error === "string") return error;
  if (error === undefined) return "undefined was thrown";
  if (typeof error === "object" && error !== null) {
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}

/**
 * The frames of an error's stack (the `at ...` lines), trimmed, without the header.
 * @example
 * ```ts
 * stackFrames(new Error("x"))[0]; // "at Object.<anonymous> (/app/x.js:1:1)"
 * ```
 */
export function stackFrames(error: unknown): string[] {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== "string") return [];
  const frames: string[] = [];
  for (const line of stack.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("at ")) frames.push(trimmed);
  }
  return frames;
}

/**
 * The backtrace reported for a thrown value: its stack frames, then for each `cause` (and each
 * of an `AggregateError`'s errors) a `Caused by: Type: message` line and that error's frames;
 * at most 50 lines (the server keeps no more).
 * @example
 * ```ts
 * backtraceOf(new Error("outer", { cause: new Error("inner") }));
 * // ["at ...", "Caused by: Error: inner", "at ..."]
 * ```
 */
export function backtraceOf(error: unknown): string[] {
  const lines: string[] = [...stackFrames(error)];
  const seen = new Set<unknown>([error]);
  const visit = (err: unknown, label: string, depth: number): void => {
    if (depth > MAX_CAUSE_DEPTH || seen.has(err) || lines.length >= FAIL_LIMITS.backtraceLines) return;
    seen.add(err);
    lines.push(`${label}: ${errorTypeOf(err)}: ${firstLine(errorMessageOf(err))}`);
    lines.push(...stackFrames(err));
    for (const child of childrenOf(err)) visit(child.error, child.label, depth + 1);
  };
  for (const child of childrenOf(error)) visit(child.error, child.label, 1);
  return lines.slice(0, FAIL_LIMITS.backtraceLines).map((l) => truncateUtf8(l, 1000));
}

/**
 * The FAIL payload for job `jid` that threw `error`: `errtype` (≤ 100 bytes), `message`
 * (≤ 1000 bytes) and `backtrace` (≤ 50 lines), as the server would cut them.
 * @example
 * ```ts
 * failureFromError("jid-1", new RangeError("too big"));
 * // { jid: "jid-1", errtype: "RangeError", message: "too big", backtrace: ["at ...", ...] }
 * ```
 */
export function failureFromError(jid: string, error: unknown): FailPayload {
  const message = errorMessageOf(error).trim();
  return {
    jid,
    errtype: truncateUtf8(errorTypeOf(error), FAIL_LIMITS.errtypeBytes),
    message: truncateUtf8(message === "" ? errorTypeOf(error) : message, FAIL_LIMITS.messageBytes),
    backtrace: backtraceOf(error),
  };
}

function childrenOf(error: unknown): { error: unknown; label: string }[] {
  if (error === null || typeof error !== "object") return [];
  const out: { error: unknown; label: string }[] = [];
  if (error instanceof AggregateError)
    error.errors.forEach((e: unknown, i: number) => {
      out.push({ error: e, label: `Error ${i + 1} of ${error.errors.length}` });
    });
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) out.push({ error: cause, label: "Caused by" });
  return out;
}

function isErrorLike(value: unknown): value is { name: string; message: string } {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { name?: unknown }).name === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

function firstLine(text: string): string {
  const nl = text.indexOf("\n");
  return nl < 0 ? text : text.slice(0, nl);
}
