/**
 * The small commands: INFO, FLUSH, END, and the Enterprise-only BATCH and TRACK.
 * @module
 */
import { encodeBulk, OK_BYTES } from "../../protocol/index.js";
import { CLOSE, type CommandHandler, errorReply } from "./types.js";

/** `INFO` → bulk JSON document (arguments are ignored). */
export const info: CommandHandler = ({ core }) => encodeBulk(JSON.stringify(core.info()));

/** `FLUSH` → `+OK` after deleting all data. */
export const flush: CommandHandler = ({ core }) => {
  core.flush();
  return OK_BYTES;
};

/** `END` → no reply; the connection is closed. */
export const end: CommandHandler = () => CLOSE;

/** `BATCH ...` → the Enterprise extension's reply, or the OSS server's refusal. */
export const batch: CommandHandler = ({ core }, line) =>
  core.extension?.command("BATCH", line) ??
  errorReply("batch subsystem is only available in Faktory Enterprise");

/** `TRACK ...` → the Enterprise extension's reply, or the OSS server's refusal. */
export const track: CommandHandler = ({ core }, line) =>
  core.extension?.command("TRACK", line) ??
  errorReply("tracking subsystem is only available in Faktory Enterprise");
