import { randomBytes, randomFillSync } from "node:crypto";

/** Random bytes for jids, refilled 256 jids at a time: one `randomFillSync` per 256 jobs, not per job. */
const JID_BYTES = 12;
const jidPool = Buffer.allocUnsafe(JID_BYTES * 256);
let jidOffset = jidPool.length;

/**
 * A new job id: 12 random bytes as URL-safe base64, 16 characters (the Go client's format).
 * @example `generateJid() // "q3Xw0_9fUu1pZkVh"`
 */
export function generateJid(): string {
  if (jidOffset === jidPool.length) {
    randomFillSync(jidPool);
    jidOffset = 0;
  }
  const jid = jidPool.toString("base64url", jidOffset, jidOffset + JID_BYTES);
  jidOffset += JID_BYTES;
  return jid;
}

/** A new worker id: 8 random bytes as lower-case hex, 16 characters. */
export function generateWid(): string {
  return randomBytes(8).toString("hex");
}
