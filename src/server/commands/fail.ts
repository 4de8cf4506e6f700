/**
 * FAIL.
 * @module
 */
import { OK_BYTES } from "../../protocol/index.js";
import { cleanseFailure } from "../failure.js";
import { decodeStruct } from "../jobs/go-decode.js";
import { argumentAfter, type CommandHandler, echo, errorReply, INTERNAL_ERROR } from "./types.js";

interface FailArgs {
  jid: string;
  errtype: string;
  message: string;
  backtrace: string[];
}

function parseFail(text: string): FailArgs | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const f = decodeStruct(
      value as Record<string, unknown>,
      { jid: "string", errtype: "string", message: "string", backtrace: "strings" },
      "FailPayload",
    );
    return {
      jid: (f.jid as string | undefined) ?? "",
      errtype: (f.errtype as string | undefined) ?? "",
      message: (f.message as string | undefined) ?? "",
      backtrace: (f.backtrace as string[] | undefined) ?? [],
    };
  } catch {
    return undefined;
  }
}

/** `FAIL {"jid","errtype","message","backtrace"}` → `+OK`; the job takes the failure path. */
export const fail: CommandHandler = ({ core }, line) => {
  const arg = argumentAfter(line, 5);
  if (arg === undefined) return INTERNAL_ERROR;
  const payload = parseFail(arg);
  if (payload === undefined) return errorReply(`invalid FAIL ${echo(arg)}`);
  const jid = payload.jid;
  if (jid === "") return errorReply("missing JID");
  const found = core.fail(jid, cleanseFailure(payload.errtype, payload.message, payload.backtrace));
  return found ? OK_BYTES : errorReply(`Job not found ${echo(jid)}`);
};
