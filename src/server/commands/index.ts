/**
 * The command table: verb → handler. Lookup is case-sensitive, as in the reference.
 * `HELLO` is not here: it is only valid during the handshake.
 * @module
 */
import { ack } from "./ack.js";
import { beat } from "./beat.js";
import { fail } from "./fail.js";
import { fetch } from "./fetch.js";
import { mutate } from "./mutate.js";
import { push, pushBulk } from "./push.js";
import { queue } from "./queue.js";
import { batch, end, flush, info, track } from "./simple.js";
import type { CommandHandler } from "./types.js";

/** Every command of the OSS server. */
export const COMMANDS: ReadonlyMap<string, CommandHandler> = new Map<string, CommandHandler>([
  ["END", end],
  ["PUSH", push],
  ["PUSHB", pushBulk],
  ["FETCH", fetch],
  ["ACK", ack],
  ["FAIL", fail],
  ["BEAT", beat],
  ["INFO", info],
  ["FLUSH", flush],
  ["MUTATE", mutate],
  ["BATCH", batch],
  ["TRACK", track],
  ["QUEUE", queue],
]);
