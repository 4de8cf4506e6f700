/**
 * Truncates `text` to at most `maxBytes` UTF-8 bytes without splitting a character. Used for the
 * FAIL limits by the worker (when it builds a FAIL) and the server (when it cleanses one).
 * @example
 * ```ts
 * truncateUtf8("héllo", 2); // "h"
 * ```
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const bytes = Buffer.from(text, "utf8");
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
