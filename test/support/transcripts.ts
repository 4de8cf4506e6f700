/**
 * Typed access to the recorded Faktory 1.10.0 transcripts in test/fixtures/faktory-1.10.0
 * (format: /work/shared/conformance/README.md).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Directory holding the transcript files. */
export const TRANSCRIPT_DIR: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
  "faktory-1.10.0",
);

/** `recv` placeholder: the server closed the connection instead of replying. */
export const CLOSED = "<closed>";
/** `recv` placeholder: the recording left out an INFO bulk string. */
export const INFO_ELIDED = "<INFO bulk string elided>";

/** Connection `conn` opened; `recv` is the greeting line (no CRLF). */
export interface ConnectStep {
  conn: string;
  event: "connect";
  recv: string;
  note?: string;
}

/** The client wrote `send` (+CRLF) on `conn`; `recv` is the whole reply without its final CRLF. */
export interface SendStep {
  conn: string;
  send: string;
  recv: string;
  ms: number;
  note?: string;
}

/** An administrator signalled a worker from the server side (Web UI). */
export interface OperatorStep {
  event: "operator";
  action: string;
  http_status?: number;
  note?: string;
}

/** The recording waited `sleep_ms` before the next step. */
export interface SleepStep {
  sleep_ms: number;
  note?: string;
}

/** A free-standing comment. */
export interface NoteStep {
  note: string;
}

/** One step of a transcript. */
export type Step = ConnectStep | SendStep | OperatorStep | SleepStep | NoteStep;

/** One recorded scenario. */
export interface Transcript {
  name: string;
  description: string;
  /** True when replaying in real time takes a minute or more. */
  slow?: boolean;
  steps: Step[];
}

export function isConnectStep(step: Step): step is ConnectStep {
  return "event" in step && step.event === "connect";
}
export function isSendStep(step: Step): step is SendStep {
  return "send" in step;
}
export function isOperatorStep(step: Step): step is OperatorStep {
  return "event" in step && step.event === "operator";
}
export function isSleepStep(step: Step): step is SleepStep {
  return "sleep_ms" in step;
}

/** True for a `recv` that is a placeholder rather than recorded bytes. */
export function isPlaceholderRecv(recv: string): boolean {
  return recv === CLOSED || recv === INFO_ELIDED;
}

function fail(name: string, index: number, why: string): never {
  throw new Error(`transcript ${name}: step ${index}: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkStep(name: string, index: number, raw: unknown): Step {
  if (!isRecord(raw)) fail(name, index, "not an object");
  const str = (key: string): boolean => typeof raw[key] === "string";
  if (raw["note"] !== undefined && !str("note")) fail(name, index, "note is not a string");
  if (raw["event"] === "connect") {
    if (!str("conn") || !str("recv")) fail(name, index, "connect step needs conn and recv");
    return raw as unknown as ConnectStep;
  }
  if (raw["event"] === "operator") {
    if (!str("action")) fail(name, index, "operator step needs action");
    return raw as unknown as OperatorStep;
  }
  if (raw["event"] !== undefined) fail(name, index, `unknown event ${JSON.stringify(raw["event"])}`);
  if ("send" in raw) {
    if (!str("conn") || !str("send") || !str("recv") || typeof raw["ms"] !== "number")
      fail(name, index, "send step needs conn, send, recv and ms");
    return raw as unknown as SendStep;
  }
  if ("sleep_ms" in raw) {
    if (typeof raw["sleep_ms"] !== "number") fail(name, index, "sleep_ms is not a number");
    return raw as unknown as SleepStep;
  }
  if (str("note")) return raw as unknown as NoteStep;
  return fail(name, index, `unknown step ${JSON.stringify(raw)}`);
}

/** Names of every transcript (file names without `.json`), sorted. */
export function listTranscripts(): string[] {
  return readdirSync(TRANSCRIPT_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** Reads and checks `test/fixtures/faktory-1.10.0/<name>.json`. */
export function loadTranscript(name: string): Transcript {
  const raw: unknown = JSON.parse(readFileSync(join(TRANSCRIPT_DIR, `${name}.json`), "utf8"));
  if (!isRecord(raw) || typeof raw["name"] !== "string" || !Array.isArray(raw["steps"]))
    throw new Error(`transcript ${name}: not a {name, steps} document`);
  const transcript: Transcript = {
    name: raw["name"],
    description: typeof raw["description"] === "string" ? raw["description"] : "",
    steps: raw["steps"].map((s: unknown, i: number) => checkStep(name, i, s)),
  };
  if (raw["slow"] === true) transcript.slow = true;
  return transcript;
}
