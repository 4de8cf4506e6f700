/**
 * JSON as the Go reference server writes it: object keys sorted (Go marshals maps in key
 * order), and `<`, `>`, `&`, U+2028 and U+2029 escaped. The embedded server uses it to store
 * and return jobs byte for byte as Faktory does.
 * @module
 */

const NEEDS_ESCAPE = /[<>&\u2028\u2029]/;
const ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Escapes the characters Go's encoder escapes. Safe on whole JSON texts (they only occur in strings). */
export function goEscape(json: string): string {
  return NEEDS_ESCAPE.test(json) ? json.replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!) : json;
}

const GO_SHORT_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** Characters Go's `strconv.Quote` escapes: `"`, `\`, and what `unicode.IsPrint` rejects. */
const GO_UNPRINTABLE = /["\\]|[^\P{C}]|[^\P{Z} ]/gu;

/**
 * A string quoted as Go's `%q` / `strconv.Quote` does (for error texts that echo a value):
 * `\a \b \f \n \r \t \v`, `\xHH` for other ASCII controls, `\uHHHH` / `\UHHHHHHHH` for other
 * unprintable characters; printable Unicode is kept as is. A lone surrogate (which Go's JSON
 * decoder would have made U+FFFD) is written as U+FFFD.
 */
export function goQuote(text: string): string {
  const body = text.replace(GO_UNPRINTABLE, (c) => {
    const short = GO_SHORT_ESCAPES[c];
    if (short !== undefined) return short;
    const code = c.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) return "\ufffd";
    if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
    if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
    return `\\U${code.toString(16).padStart(8, "0")}`;
  });
  return `"${body}"`;
}

function hasObject(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (!Array.isArray(value)) return true;
  for (const v of value) if (hasObject(v)) return true;
  return false;
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  // A null prototype so that a "__proto__" key (JSON.parse makes it an own property) is kept.
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** `JSON.stringify` with Go's key order and escaping, for any JSON value. */
export function goStringify(value: unknown): string {
  return goEscape(JSON.stringify(hasObject(value) ? sortKeys(value) : value));
}
