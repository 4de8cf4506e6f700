/**
 * Comparison of a reply with a recorded one, by the rules of the conformance README:
 * - timestamps: RFC 3339 UTC format and order to the microsecond, not values (and one recorded timestamp must
 *   always map to the same timestamp of ours: e.g. `failed_at` is kept across failures);
 * - INFO: same keys in the same order with the same types; `queues`, `sets` and `total_*` equal;
 *   `server.*` and `tasks.*` are ours;
 * - error texts exact, except after a quoted Go parser message, where only the prefix counts;
 * - a bulk `$N` must be our own byte length.
 */
import { expect } from "vitest";
import { parseTimestamp } from "../../src/protocol/index.js";

const TS = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z)"/g;
/** Strict RFC 3339 UTC with `Z`, up to nanoseconds. */
export const TIMESTAMP_FORMAT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

/** Where a recorded error quotes a parser of Go's; only the text before it must match. */
const GO_PARSER_MARKERS = [
  "json: cannot unmarshal",
  "invalid character",
  "unexpected end of JSON input",
  'cannot parse "',
];

/** State kept across one transcript. */
export class ReplayState {
  /** Recorded timestamp → ours. */
  readonly timestamps = new Map<string, string>();
  /** Timestamps that appear literally in what was sent: they must come back unchanged. */
  readonly literals = new Set<string>();
}

/** Epoch microseconds of a timestamp (digits below the microsecond dropped). */
function tsMicros(ts: string): number {
  const ms = parseTimestamp(ts);
  if (ms === undefined) throw new Error(`not a timestamp: ${ts}`);
  return Math.round(ms * 1000);
}

/** Splits a `$N\r\n<body>` reply and checks that N is the body's byte length. */
export function splitBulk(reply: string, where: string): string {
  const i = reply.indexOf("\r\n");
  expect(reply.startsWith("$") && i > 0, `${where}: a bulk reply, got ${reply.slice(0, 120)}`).toBe(true);
  const body = reply.slice(i + 2);
  expect(Number(reply.slice(1, i)), `${where}: $N is the byte length`).toBe(Buffer.byteLength(body));
  return body;
}

/** Compares two JSON texts with timestamps masked (format, identity and order checked). */
export function compareJobJson(expected: string, actual: string, state: ReplayState, where: string): void {
  const exp = [...expected.matchAll(TS)].map((m) => m[1]!);
  const act = [...actual.matchAll(TS)].map((m) => m[1]!);
  expect(actual.replace(TS, '"<ts>"'), `${where}: body`).toBe(expected.replace(TS, '"<ts>"'));
  expect(act.length).toBe(exp.length);
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i]!;
    const a = act[i]!;
    expect(a, `${where}: timestamp format`).toMatch(TIMESTAMP_FORMAT);
    if (state.literals.has(e)) expect(a, `${where}: a timestamp the client sent comes back as sent`).toBe(e);
    const known = state.timestamps.get(e);
    if (known !== undefined) expect(a, `${where}: recorded ${e} was ${known} earlier`).toBe(known);
    else state.timestamps.set(e, a);
  }
  // Order within a reply, to the microsecond: two recorded timestamps that differ map to ours
  // that are not the other way round. Ours may be equal where the reference's are a little apart
  // (a PUSH's created_at and enqueued_at come from one reading of our clock; the reference's can
  // be milliseconds apart), so strict order is required only a second or more apart. Not across
  // replies: the reference runs scheduled work up to 5-15 s late, and next_at has a random part.
  for (let i = 0; i < exp.length; i++)
    for (let j = i + 1; j < exp.length; j++) {
      const de = tsMicros(exp[j]!) - tsMicros(exp[i]!);
      if (de === 0) continue;
      const da = tsMicros(act[j]!) - tsMicros(act[i]!);
      const order = `${where}: order of ${exp[i]} and ${exp[j]} (ours ${act[i]} and ${act[j]})`;
      if (Math.abs(de) >= 1_000_000) expect(Math.sign(da), order).toBe(Math.sign(de));
      else expect(Math.sign(da), order).not.toBe(-Math.sign(de));
    }
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Same keys in the same order and same types, recursively. */
export function compareShape(expected: unknown, actual: unknown, path: string): void {
  expect(typeOf(actual), `${path}: type`).toBe(typeOf(expected));
  if (typeOf(expected) !== "object") return;
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  expect(Object.keys(a), `${path}: keys`).toEqual(Object.keys(e));
  for (const key of Object.keys(e)) compareShape(e[key], a[key], `${path}.${key}`);
}

/** Compares an INFO document. */
export function compareInfo(expected: string, actual: string, where: string): void {
  const e = JSON.parse(expected) as { faktory: Record<string, unknown> };
  const a = JSON.parse(actual) as { now: string; server_utc_time: string; faktory: Record<string, unknown> };
  // queues is a map: compare it as a whole, not by shape
  compareShape(
    { ...e, faktory: { ...e.faktory, queues: {} } },
    { ...a, faktory: { ...a.faktory, queues: {} } },
    `${where}: INFO`,
  );
  expect(a.now).toMatch(TIMESTAMP_FORMAT);
  expect(a.server_utc_time).toMatch(/^\d\d:\d\d:\d\d UTC$/);
  for (const key of ["queues", "sets", "total_failures", "total_processed", "total_enqueued", "total_queues"])
    expect(a.faktory[key], `${where}: faktory.${key}`).toEqual(e.faktory[key]);
}

/**
 * Compares a QUEUE LATENCY document: same keys in order, seconds within 0.5 s of the recording,
 * plus at most `elapsedSeconds` more: the real time this replay has taken so far (the server's
 * clock is real time plus the recorded sleeps, so a slow replay on a loaded machine legitimately
 * reports older jobs; a latency below the recording's is never excused).
 */
export function compareLatency(expected: string, actual: string, where: string, elapsedSeconds = 0): void {
  const e = JSON.parse(expected) as Record<string, number>;
  const a = JSON.parse(actual) as Record<string, number>;
  expect(Object.keys(a), `${where}: queues`).toEqual(Object.keys(e));
  for (const key of Object.keys(e)) {
    expect(a[key]!, `${where}: latency of ${key}`).toBeGreaterThan(e[key]! - 0.5);
    expect(a[key]!, `${where}: latency of ${key}`).toBeLessThan(e[key]! + 0.5 + elapsedSeconds);
  }
}

/** Compares an error line: exact, or up to a quoted Go parser message. */
export function compareError(expected: string, actual: string, where: string): void {
  let cut = -1;
  for (const marker of GO_PARSER_MARKERS) {
    const i = expected.indexOf(marker);
    if (i !== -1 && (cut === -1 || i < cut)) cut = i;
  }
  if (cut === -1) {
    expect(actual, where).toBe(expected);
    return;
  }
  const prefix = expected.slice(0, cut);
  expect(
    actual.startsWith(prefix),
    `${where}: ${JSON.stringify(actual)} starts with ${JSON.stringify(prefix)}`,
  ).toBe(true);
  expect(actual.length, `${where}: a message follows the prefix`).toBeGreaterThan(prefix.length);
}
