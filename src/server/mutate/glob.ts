/**
 * Redis glob patterns (the MATCH of SCAN), which MUTATE's `regexp` filter really is:
 * `*` any run, `?` any one character, `[abc]`, `[^a]`, `[a-z]` classes, `\x` a literal x.
 * The whole text must match.
 * @module
 */

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function escapeInClass(ch: string): string {
  return /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
}

/** Compiles a Redis glob into an anchored RegExp. */
export function compileGlob(pattern: string): RegExp {
  let out = "";
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "*") {
      out += "[\\s\\S]*";
    } else if (ch === "?") {
      out += "[\\s\\S]";
    } else if (ch === "\\" && i + 1 < chars.length) {
      out += escapeRegExp(chars[++i]!);
    } else if (ch === "[") {
      let j = i + 1;
      let negate = false;
      if (chars[j] === "^") {
        negate = true;
        j++;
      }
      let cls = "";
      let closed = false;
      for (; j < chars.length; j++) {
        const c = chars[j]!;
        if (c === "]") {
          closed = true;
          break;
        }
        if (c === "\\" && j + 1 < chars.length) {
          cls += escapeInClass(chars[++j]!);
        } else if (chars[j + 1] === "-" && j + 2 < chars.length && chars[j + 2] !== "]") {
          let lo = c;
          let hi = chars[j + 2]!;
          if (lo > hi) [lo, hi] = [hi, lo];
          cls += `${escapeInClass(lo)}-${escapeInClass(hi)}`;
          j += 2;
        } else {
          cls += escapeInClass(c);
        }
      }
      // Redis treats an unterminated class as running to the end of the pattern.
      i = closed ? j : chars.length;
      out += cls === "" ? (negate ? "[\\s\\S]" : "[^\\s\\S]") : `[${negate ? "^" : ""}${cls}]`;
    } else {
      out += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${out}$`, "u");
}

/** Whether `text` matches the Redis glob `pattern`. */
export function globMatch(pattern: string, text: string): boolean {
  return compileGlob(pattern).test(text);
}
