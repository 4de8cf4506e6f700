/**
 * A FIFO of queued jobs kept as bytes: each job is one record (a small header, the jid, the
 * JSON) appended to byte chunks owned by the queue, and decoded again only when it leaves.
 *
 * Why bytes: a job's JSON as the server builds it is a V8 rope (a tree of concatenated string
 * pieces, ~780 B for 220 characters), and even flattened, a string plus a `{jid, payload,
 * reserveFor}` object plus the jid string cost ~320 B of GC heap a job. A record costs its
 * JSON's UTF-8 bytes + 9 (+8 when the job has a `reserve_for`; + the jid when it cannot be
 * found in the JSON as it is), outside the GC heap, so a million waiting jobs neither fill the
 * heap nor slow its collections.
 *
 * A new chunk is about a quarter of the bytes the queue holds, from 4 KiB (a queue holding one
 * job costs a few KiB) up to 256 KiB; a chunk is freed as soon as its last job has left. A job removed from
 * the middle (dashboard, MUTATE) leaves a tombstone that the head skips.
 * @module
 */
import type { QueuedJob } from "./storage.js";

/** Size of a queue's first chunk. */
const MIN_CHUNK_BYTES = 4 * 1024;
/** Chunks grow by doubling up to this size (a bigger job gets a chunk of its own size). */
const MAX_CHUNK_BYTES = 256 * 1024;

// Record layout: u32 LE payload bytes, u32 LE jid field, u8 flags, [f64 LE reserveFor], [jid], payload.
// The jid field is the jid's length in bytes when the jid is stored, or with FLAG_JID_IN_PAYLOAD
// the offset of the jid inside the payload (`"jid":"…"`, for a jid that JSON leaves unescaped).
const HEADER_BYTES = 9;
const FLAG_REMOVED = 1;
/** Strings that are not well-formed UTF-16 (lone surrogates) are kept as UTF-16, losslessly. */
const FLAG_UTF16 = 2;
const FLAG_RESERVE_FOR = 4;
const FLAG_JID_IN_PAYLOAD = 8;
const QUOTE = 0x22;
/** A jid of printable ASCII that Go's JSON writes as it is (no `"`, `\`, `<`, `>`, `&`). */
const PLAIN_JID = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

interface WellFormed {
  isWellFormed?: () => boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` has no lone surrogate (so that UTF-8 holds it losslessly). */
export function wellFormed(s: string): boolean {
  const check = (s as WellFormed).isWellFormed;
  return check === undefined ? !LONE_SURROGATE.test(s) : check.call(s);
}

/**
 * A copy of `s` as one flat string. The server builds a job's JSON by concatenation, and V8
 * keeps such a string as a tree of its pieces (~3.5× the size of its characters) for as long
 * as it lives; a long-lived copy is worth its one-off cost.
 */
export function flatCopy(s: string): string {
  return wellFormed(s) ? Buffer.from(s, "utf8").toString("utf8") : s;
}

class Chunk {
  /** End of the written records. */
  end = 0;
  /** Start of the first record that has not left through the head. */
  start = 0;
  /** Records in this chunk that have neither left nor been removed. */
  live = 0;

  constructor(readonly bytes: Buffer) {}
}

/** Where a record's parts are, read from its header. */
interface RecordView {
  flags: number;
  jidStart: number;
  jidEnd: number;
  payloadStart: number;
  end: number;
}

function view(bytes: Buffer, at: number): RecordView {
  const payloadBytes = bytes.readUInt32LE(at);
  const jidField = bytes.readUInt32LE(at + 4);
  const flags = bytes[at + 8]!;
  const start = at + HEADER_BYTES + (flags & FLAG_RESERVE_FOR ? 8 : 0);
  if (flags & FLAG_JID_IN_PAYLOAD) {
    const jidStart = start + jidField;
    return {
      flags,
      jidStart,
      jidEnd: bytes.indexOf(QUOTE, jidStart),
      payloadStart: start,
      end: start + payloadBytes,
    };
  }
  const payloadStart = start + jidField;
  return { flags, jidStart: start, jidEnd: payloadStart, payloadStart, end: payloadStart + payloadBytes };
}

function decode(bytes: Buffer, at: number, r: RecordView): QueuedJob {
  const encoding = r.flags & FLAG_UTF16 ? "utf16le" : "utf8";
  return {
    jid: bytes.toString(encoding, r.jidStart, r.jidEnd),
    payload: bytes.toString(encoding, r.payloadStart, r.end),
    reserveFor: r.flags & FLAG_RESERVE_FOR ? bytes.readDoubleLE(at + HEADER_BYTES) : 0,
  };
}

/**
 * The offset of the jid inside an ASCII payload (where the bytes are the characters), or -1
 * when the jid must be stored on its own.
 */
function jidOffset(jid: string, payload: string, payloadBytes: number): number {
  if (payloadBytes !== payload.length || jid.length === 0 || !PLAIN_JID.test(jid)) return -1;
  // Any match holds exactly these characters, so it does not matter which `"jid"` key matched.
  const i = payload.indexOf(`"jid":"${jid}"`);
  return i < 0 ? -1 : i + 7;
}

/** A queue's jobs, oldest first, stored as bytes. O(1) push and shift. */
export class JobLog {
  private chunks: Chunk[] = [];
  private count = 0;
  /** Bytes of the records not yet left (sizes the next chunk). */
  private liveBytes = 0;

  /** Number of jobs. */
  get length(): number {
    return this.count;
  }

  /** Bytes of memory the chunks take (for tests and diagnostics). */
  get heldBytes(): number {
    let sum = 0;
    for (const chunk of this.chunks) sum += chunk.bytes.length;
    return sum;
  }

  /** Appends a job at the tail. */
  push(job: QueuedJob): void {
    const utf16 = !(wellFormed(job.payload) && wellFormed(job.jid));
    const encoding = utf16 ? "utf16le" : "utf8";
    const payloadBytes = Buffer.byteLength(job.payload, encoding);
    const inPayload = utf16 ? -1 : jidOffset(job.jid, job.payload, payloadBytes);
    const jidBytes = inPayload >= 0 ? 0 : Buffer.byteLength(job.jid, encoding);
    const hasReserve = job.reserveFor !== 0;
    const size = HEADER_BYTES + (hasReserve ? 8 : 0) + jidBytes + payloadBytes;
    let tail = this.chunks[this.chunks.length - 1];
    if (tail === undefined || tail.bytes.length - tail.end < size) {
      // A quarter of what the queue holds, so that a queue that shrank does not keep big chunks.
      let grown = MIN_CHUNK_BYTES;
      while (grown < MAX_CHUNK_BYTES && grown * 4 < this.liveBytes) grown *= 2;
      if (tail !== undefined && tail.live === 0) this.chunks.pop(); // the kept small chunk, empty
      tail = new Chunk(Buffer.allocUnsafeSlow(Math.max(grown, size)));
      this.chunks.push(tail);
    }
    const bytes = tail.bytes;
    let at = tail.end;
    bytes.writeUInt32LE(payloadBytes, at);
    bytes.writeUInt32LE(inPayload >= 0 ? inPayload : jidBytes, at + 4);
    bytes[at + 8] =
      (utf16 ? FLAG_UTF16 : 0) |
      (hasReserve ? FLAG_RESERVE_FOR : 0) |
      (inPayload >= 0 ? FLAG_JID_IN_PAYLOAD : 0);
    at += HEADER_BYTES;
    if (hasReserve) at = bytes.writeDoubleLE(job.reserveFor, at);
    if (jidBytes > 0) at += bytes.write(job.jid, at, jidBytes, encoding);
    at += bytes.write(job.payload, at, payloadBytes, encoding);
    tail.end = at;
    tail.live++;
    this.count++;
    this.liveBytes += size;
  }

  /** Removes and returns the oldest job. */
  shift(): QueuedJob | undefined {
    const chunk = this.firstLive();
    if (chunk === undefined) return undefined;
    const at = chunk.start;
    const r = view(chunk.bytes, at);
    const job = decode(chunk.bytes, at, r);
    chunk.start = r.end;
    this.left(chunk, r.end - at);
    return job;
  }

  /** The oldest job, left in place. */
  peek(): QueuedJob | undefined {
    const chunk = this.firstLive();
    return chunk === undefined ? undefined : decode(chunk.bytes, chunk.start, view(chunk.bytes, chunk.start));
  }

  /** Up to `limit` jobs from position `offset` (0 = oldest), oldest first. */
  slice(offset: number, limit: number): QueuedJob[] {
    const out: QueuedJob[] = [];
    let skip = Math.max(0, offset);
    const want = Math.max(0, limit);
    for (const chunk of this.chunks) {
      if (out.length >= want) break;
      if (skip >= chunk.live) {
        skip -= chunk.live;
        continue;
      }
      for (let at = chunk.start; at < chunk.end && out.length < want; ) {
        const r = view(chunk.bytes, at);
        if ((r.flags & FLAG_REMOVED) === 0) {
          if (skip > 0) skip--;
          else out.push(decode(chunk.bytes, at, r));
        }
        at = r.end;
      }
    }
    return out;
  }

  /** Removes the oldest job with this jid; `false` when there is none. O(n). */
  remove(jid: string): boolean {
    const encoded = new Map<boolean, Buffer>();
    for (const chunk of this.chunks) {
      for (let at = chunk.start; at < chunk.end; ) {
        const r = view(chunk.bytes, at);
        if ((r.flags & FLAG_REMOVED) === 0) {
          const utf16 = (r.flags & FLAG_UTF16) !== 0;
          let target = encoded.get(utf16);
          if (target === undefined) {
            target = Buffer.from(jid, utf16 ? "utf16le" : "utf8");
            encoded.set(utf16, target);
          }
          if (chunk.bytes.compare(target, 0, target.length, r.jidStart, r.jidEnd) === 0) {
            chunk.bytes[at + 8] = r.flags | FLAG_REMOVED;
            this.left(chunk, r.end - at);
            return true;
          }
        }
        at = r.end;
      }
    }
    return false;
  }

  /** The first chunk with a job, its `start` moved past any removed records. */
  private firstLive(): Chunk | undefined {
    const chunk = this.chunks[0];
    if (chunk === undefined || this.count === 0) return undefined;
    // A chunk in the list always holds a live job (see `left`); skip tombstones before it.
    for (;;) {
      const bytes = chunk.bytes;
      if ((bytes[chunk.start + 8]! & FLAG_REMOVED) === 0) return chunk;
      chunk.start = view(bytes, chunk.start).end;
    }
  }

  /** Bookkeeping after one of `chunk`'s jobs left or was removed: frees emptied chunks. */
  private left(chunk: Chunk, size: number): void {
    this.count--;
    this.liveBytes -= size;
    if (--chunk.live > 0) return;
    const last = this.chunks.length - 1;
    if (this.chunks[last] === chunk && chunk.bytes.length === MIN_CHUNK_BYTES) {
      // A queue that keeps emptying reuses its small chunk.
      chunk.start = chunk.end = 0;
      return;
    }
    this.chunks.splice(this.chunks.indexOf(chunk), 1);
  }
}
