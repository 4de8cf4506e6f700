import { createHash } from "node:crypto";

/**
 * The Faktory password hash: SHA-256 of `password + salt`, then SHA-256 of the raw digest
 * again until it has been applied `iterations` times in all, as lower-case hex.
 *
 * @example
 * ```ts
 * hashPassword("foobar", "55104dc76695721d", 1545);
 * // "6d877f8e5544b1f2598768f817413ab8a357afffa924dedae99eb91472d4ec30"
 * ```
 */
export function hashPassword(password: string, salt: string, iterations: number): string {
  let digest = createHash("sha256")
    .update(password + salt, "utf8")
    .digest();
  for (let i = 1; i < iterations; i++) digest = createHash("sha256").update(digest).digest();
  return digest.toString("hex");
}
