/**
 * Splits a byte stream into command lines: ends at `\n`, a trailing `\r` is dropped (CRLF and
 * bare LF both work), chunks may split anywhere (even inside a UTF-8 sequence). A line longer
 * than the limit is reported as soon as the limit is passed, without buffering the rest.
 * @module
 */

const LF = 0x0a;
const CR = 0x0d;

/** Result of feeding a chunk: `"ok"`, or `"too-long"` once a line exceeds the limit. */
export type FeedResult = "ok" | "too-long";

/** Incremental line splitter. */
export class LineReader {
  private parts: Buffer[] = [];
  private partLength = 0;

  /** `maxLineBytes` bounds one line, terminator excluded. */
  constructor(private readonly maxLineBytes: number) {}

  /** Bytes buffered for the incomplete line. */
  get buffered(): number {
    return this.partLength;
  }

  /** Feeds a chunk; `onLine` is called for each complete line, in order. */
  feed(chunk: Buffer, onLine: (line: string) => void): FeedResult {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        const rest = chunk.length - start;
        if (rest > 0) {
          if (this.partLength + rest > this.maxLineBytes + 1) return this.tooLong();
          this.parts.push(start === 0 ? chunk : chunk.subarray(start));
          this.partLength += rest;
        }
        return "ok";
      }
      let line: Buffer;
      if (this.partLength === 0) {
        line = chunk.subarray(start, nl);
      } else {
        this.parts.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.parts, this.partLength + nl - start);
        this.parts = [];
        this.partLength = 0;
      }
      let end = line.length;
      if (end > 0 && line[end - 1] === CR) end--;
      if (end > this.maxLineBytes) return this.tooLong();
      onLine(line.toString("utf8", 0, end));
      start = nl + 1;
    }
  }

  private tooLong(): FeedResult {
    this.parts = [];
    this.partLength = 0;
    return "too-long";
  }
}
