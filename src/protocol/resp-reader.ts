import { ProtocolError } from "./errors.js";

/** One decoded RESP reply. */
export type Reply =
  | { readonly kind: "simple"; readonly value: string }
  | { readonly kind: "bulk"; readonly value: string }
  | { readonly kind: "null" }
  | { readonly kind: "integer"; readonly value: number }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

const CR = 0x0d;
const LF = 0x0a;
const NULL_REPLY: Reply = Object.freeze({ kind: "null" });
const OK_REPLY: Reply = Object.freeze({ kind: "simple", value: "OK" });

/** Options of {@link RespReader}. */
export interface RespReaderOptions {
  /** Largest bulk string accepted, in bytes (default 512 MiB, Redis's own limit). */
  maxBulkBytes?: number;
  /** Largest `+`, `-` or `:` line accepted, in bytes (default 64 KiB). */
  maxLineBytes?: number;
}

/**
 * A streaming RESP decoder. Feed it chunks as they arrive with {@link RespReader.push}; it calls
 * `onReply` once per complete reply, in order. Chunks may split a reply at any byte and may hold
 * several replies. Bulk lengths are byte lengths, so multi-byte UTF-8 is handled.
 *
 * Malformed input throws a {@link ProtocolError} from `push`; the reader is then unusable.
 *
 * @example
 * ```ts
 * const reader = new RespReader((r) => console.log(r));
 * reader.push(Buffer.from("+OK\r\n$3\r\nab"));
 * reader.push(Buffer.from("c\r\n")); // logs {kind:"simple",value:"OK"} then {kind:"bulk",value:"abc"}
 * ```
 */
export class RespReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes that must be buffered before another parse attempt can succeed. */
  private need = 1;
  private failed = false;
  private readonly maxBulk: number;
  private readonly maxLine: number;

  constructor(
    private readonly onReply: (reply: Reply) => void,
    options: RespReaderOptions = {},
  ) {
    this.maxBulk = options.maxBulkBytes ?? 512 * 1024 * 1024;
    this.maxLine = options.maxLineBytes ?? 64 * 1024;
  }

  /** Bytes received but not yet part of a complete reply. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feed the next chunk of bytes from the peer. */
  push(chunk: Uint8Array): void {
    if (this.failed) throw new ProtocolError("RESP reader used after a protocol error");
    if (chunk.length === 0) return;
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.chunks.push(piece);
    this.buffered += piece.length;
    if (this.buffered < this.need) return;

    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    let pos = 0;
    try {
      while (pos < buf.length) {
        const next = this.parseOne(buf, pos);
        if (next < 0) break;
        pos = next;
      }
    } catch (err) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      throw err;
    }
    if (pos >= buf.length) {
      this.chunks = [];
      this.buffered = 0;
      this.need = 1;
    } else {
      const rest = pos === 0 ? buf : buf.subarray(pos);
      this.chunks = [rest];
      this.buffered = rest.length;
    }
  }

  /** Parses one reply at `pos`; returns the position after it, or -1 (and sets `need`) if incomplete. */
  private parseOne(buf: Buffer, pos: number): number {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0) {
      if (buf.length - pos > this.maxLine + 32) throw new ProtocolError("RESP line too long");
      this.need = buf.length - pos + 1;
      return -1;
    }
    const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const type = buf[pos];
    switch (type) {
      case 0x2b: {
        // '+'
        const value =
          lineEnd - pos === 3 && buf[pos + 1] === 0x4f && buf[pos + 2] === 0x4b
            ? null
            : buf.toString("utf8", pos + 1, lineEnd);
        this.onReply(value === null ? OK_REPLY : { kind: "simple", value });
        return lf + 1;
      }
      case 0x2d: {
        // '-'
        const text = buf.toString("utf8", pos + 1, lineEnd);
        const space = text.indexOf(" ");
        this.onReply(
          space < 0
            ? { kind: "error", code: text, message: "" }
            : { kind: "error", code: text.slice(0, space), message: text.slice(space + 1) },
        );
        return lf + 1;
      }
      case 0x3a: {
        // ':'
        const text = buf.toString("latin1", pos + 1, lineEnd);
        if (!/^-?\d+$/.test(text)) throw new ProtocolError(`invalid RESP integer ${JSON.stringify(text)}`);
        this.onReply({ kind: "integer", value: Number(text) });
        return lf + 1;
      }
      case 0x24: {
        // '$'
        const len = parseLength(buf, pos + 1, lineEnd);
        if (len === -1) {
          this.onReply(NULL_REPLY);
          return lf + 1;
        }
        if (len > this.maxBulk) throw new ProtocolError(`RESP bulk string of ${len} bytes exceeds the limit`);
        const start = lf + 1;
        const end = start + len;
        if (buf.length < end + 2) {
          this.need = end + 2 - pos;
          return -1;
        }
        if (buf[end] !== CR || buf[end + 1] !== LF)
          throw new ProtocolError("RESP bulk string not followed by CRLF");
        this.onReply({ kind: "bulk", value: buf.toString("utf8", start, end) });
        return end + 2;
      }
      default:
        throw new ProtocolError(
          `unexpected RESP type byte 0x${(type ?? 0).toString(16).padStart(2, "0")} in ${JSON.stringify(buf.toString("utf8", pos, Math.min(lineEnd, pos + 40)))}`,
        );
    }
  }
}

function parseLength(buf: Buffer, start: number, end: number): number {
  if (end - start === 2 && buf[start] === 0x2d && buf[start + 1] === 0x31) return -1;
  if (end <= start || end - start > 15) throw new ProtocolError("invalid RESP bulk length");
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9)
      throw new ProtocolError(
        `invalid RESP bulk length ${JSON.stringify(buf.toString("latin1", start, end))}`,
      );
    n = n * 10 + c;
  }
  return n;
}
