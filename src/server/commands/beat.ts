/**
 * BEAT.
 * @module
 */
import { encodeBulk, OK_BYTES } from "../../protocol/index.js";
import { decodeStruct } from "../jobs/go-decode.js";
import { advanceState } from "../workers.js";
import { argumentAfter, type CommandHandler, echo, errorReply, INTERNAL_ERROR } from "./types.js";

interface BeatArgs {
  wid: string;
  currentState: string;
  rssKb: number | undefined;
}

function parseBeat(text: string): BeatArgs | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const b = decodeStruct(
      value as Record<string, unknown>,
      { current_state: "string", wid: "string", rss_kb: "int" },
      "ClientBeat",
    );
    return {
      wid: (b.wid as string | undefined) ?? "",
      currentState: (b.current_state as string | undefined) ?? "",
      rssKb: b.rss_kb as number | undefined,
    };
  } catch {
    return undefined;
  }
}

/** `BEAT {"wid",...}` → `+OK` while running, else bulk `{"state":"quiet"|"terminate"}`. */
export const beat: CommandHandler = ({ core }, line) => {
  const arg = argumentAfter(line, 5);
  if (arg === undefined) return INTERNAL_ERROR;
  const payload = parseBeat(arg);
  if (payload === undefined) return errorReply(`invalid BEAT ${echo(arg)}`);
  const worker = core.workers.get(payload.wid);
  if (worker === undefined) return errorReply(`unknown worker ${echo(payload.wid)}`);
  worker.lastHeartbeat = core.clock.now();
  if (payload.rssKb !== undefined) worker.rssKb = payload.rssKb;
  if (payload.currentState !== "") {
    const state =
      payload.currentState === "quiet" || payload.currentState === "terminate"
        ? payload.currentState
        : "running";
    advanceState(worker, state);
  }
  core.armWorkerReaper();
  return worker.state === "running" ? OK_BYTES : encodeBulk(`{"state":${JSON.stringify(worker.state)}}`);
};
