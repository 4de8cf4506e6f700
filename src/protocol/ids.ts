import { randomBytes } from "node:crypto";

/**
 * A new job id: 12 random bytes as URL-safe base64, 16 characters (the Go client's format).
 * @example `generateJid() // "q3Xw0_9fUu1pZkVh"`
 */
export function generateJid(): string {
  return randomBytes(12).toString("base64url");
}

/** A new worker id: 8 random bytes as lower-case hex, 16 characters. */
export function generateWid(): string {
  return randomBytes(8).toString("hex");
}
