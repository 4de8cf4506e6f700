/**
 * Property-based fuzzing of the embedded server's input: command lines from the recorded
 * Faktory 1.10.0 transcripts, mutated (bytes, JSON field types, huge and empty values, invalid
 * UTF-8), plus pure garbage, delivered pipelined or split at random byte boundaries.
 *
 * Properties: the server never throws or crashes; every line gets exactly one well-formed RESP
 * reply, in order, until `END` (no reply, then close); the server still serves new connections;
 * and its state stays consistent: the queued and scheduled jobs INFO reports (and its
 * total_enqueued) equal the run's own count of the pushes answered `+OK` (PUSH) or not refused
 * (PUSHB), split by whether their `at` lies in the future.
 */
import { connect, type Socket } from "node:net";
import fc from "fast-check";
import { runs } from "../support/fuzz.js";
import { afterEach, describe, expect, it } from "vitest";
import { type Clock, type FaktoryServer, startServer, type TimerHandle } from "../../src/server/index.js";
import { HOSTILE_KEYS } from "../support/hostile-keys.js";
import { isSendStep, listTranscripts, loadTranscript } from "../support/transcripts.js";

// ---- fixtures ---------------------------------------------------------------------------------

/** Every command line the recorded clients sent after their handshake. */
const RECORDED: string[] = [
  ...new Set(
    listTranscripts()
      .flatMap((name) => loadTranscript(name).steps)
      .filter(isSendStep)
      .map((s) => s.send)
      .filter((line) => !line.startsWith("HELLO ") && line !== "END"),
  ),
];

/**
 * Real time, except that FETCH's 2 s block (the only 2000 ms timer: the handshake deadline is set
 * to something else below) ends at once, so fuzzed FETCHes on empty queues do not stall the run.
 */
const fastFetchClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = setTimeout(fn, ms === 2000 ? 1 : ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

let server: FaktoryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function freshServer(): Promise<FaktoryServer> {
  await server?.close();
  server = await startServer({
    port: 0,
    webPort: false,
    clock: fastFetchClock,
    handshakeTimeoutMs: 10_000,
    maxLineBytes: 1024 * 1024,
  });
  return server;
}

// ---- a strict RESP reader ---------------------------------------------------------------------

type RespReply = { kind: "+" | "-" | ":"; text: string } | { kind: "$"; text: string | null };

/**
 * Parses every whole reply in `data`; throws on anything that is not well-formed RESP as Faktory
 * writes it (simple/error lines without CR or LF inside, integers, bulk strings whose length
 * matches, the null bulk string), and on trailing bytes.
 */
function parseReplies(data: Buffer): RespReply[] {
  const replies: RespReply[] = [];
  let pos = 0;
  while (pos < data.length) {
    const crlf = data.indexOf("\r\n", pos);
    if (crlf === -1) throw new Error(`truncated reply at byte ${pos}: ${data.subarray(pos, pos + 80)}`);
    const head = data.toString("utf8", pos + 1, crlf);
    const kind = String.fromCharCode(data[pos]!);
    if (head.includes("\n") || head.includes("\r")) throw new Error(`CR/LF inside a reply line: ${head}`);
    pos = crlf + 2;
    if (kind === "+") replies.push({ kind, text: head });
    else if (kind === "-") {
      if (!/^[A-Z]+( |$)/.test(head)) throw new Error(`error reply without a code: ${head}`);
      replies.push({ kind, text: head });
    } else if (kind === ":") {
      if (!/^-?\d+$/.test(head)) throw new Error(`bad integer reply: ${head}`);
      replies.push({ kind, text: head });
    } else if (kind === "$") {
      if (head === "-1") {
        replies.push({ kind, text: null });
        continue;
      }
      if (!/^\d+$/.test(head)) throw new Error(`bad bulk length: ${head}`);
      const end = pos + Number(head);
      if (data.length < end + 2 || data.toString("latin1", end, end + 2) !== "\r\n")
        throw new Error(`bulk string of ${head} bytes not terminated by CRLF`);
      replies.push({ kind, text: data.toString("utf8", pos, end) });
      pos = end + 2;
    } else throw new Error(`unknown reply type ${JSON.stringify(kind)}`);
  }
  return replies;
}

// ---- a session: handshake, the fuzzed bytes, END --------------------------------------------

interface Session {
  replies: RespReply[];
  /** The command lines as the server frames them (split at LF, a trailing CR dropped). */
  lines: Buffer[];
  /** How many of them come before the first `END` (each must get one reply). */
  answered: number;
}

/** The lines the server sees in `stream`, and how many precede the first END. */
function frame(stream: Buffer): { lines: Buffer[]; answered: number } {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = stream.indexOf(0x0a); nl !== -1; nl = stream.indexOf(0x0a, start)) {
    let end = nl;
    if (end > start && stream[end - 1] === 0x0d) end--;
    lines.push(stream.subarray(start, end));
    start = nl + 1;
  }
  const verbOf = (line: Buffer): string => {
    const space = line.indexOf(0x20);
    return line.toString("utf8", 0, space === -1 ? line.length : space);
  };
  const end = lines.findIndex((line) => verbOf(line) === "END");
  return { lines, answered: end === -1 ? lines.length : end };
}

/**
 * Identifies (as a worker, so BEAT has a wid), writes `payload` then `END\r\n` in pieces cut at
 * `cuts` (fractions of the length; none: one write), and collects everything until the server
 * closes.
 */
async function session(port: number, payload: Buffer, cuts: number[]): Promise<Session> {
  const stream = Buffer.concat([payload, Buffer.from("END\r\n")]);
  const socket: Socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  const closed = new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error("the server neither answered everything nor closed within 10 s"));
    }, 10_000);
    socket.on("close", () => {
      clearTimeout(guard);
      resolve();
    });
  });
  socket.on("error", () => {});
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write('HELLO {"v":2,"wid":"fuzz-worker","hostname":"fuzz","pid":1,"labels":["fuzz"]}\r\n');
  const offsets = [...new Set(cuts.map((c) => Math.floor(c * stream.length)))].sort((a, b) => a - b);
  let at = 0;
  for (const offset of [...offsets, stream.length]) {
    if (offset <= at) continue;
    socket.write(stream.subarray(at, offset));
    at = offset;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await closed;
  const all = parseReplies(Buffer.concat(chunks));
  expect(all[0]).toEqual({ kind: "+", text: 'HI {"v":2}' });
  expect(all[1]).toEqual({ kind: "+", text: "OK" });
  return { replies: all.slice(2), ...frame(payload.length === 0 ? payload : stream) };
}

/** The server is still healthy: a new connection is greeted and INFO answers. */
async function stillServing(srv: FaktoryServer): Promise<void> {
  const { replies } = await session(srv.port, Buffer.from("INFO\r\n"), []);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.kind).toBe("$");
}

// ---- generators -------------------------------------------------------------------------------

const INVALID_UTF8 = [
  [0xff],
  [0xc3],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0x00],
].map((b) => Buffer.from(b));

/** Values of the wrong type, empty or huge, for a JSON field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, "", 0, -1, 1.5, 2 ** 53 + 1, -1e308, true, false, [], {}, [null], { a: {} }),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.integer().map((n) => "x".repeat(Math.abs(n) % 70_000)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(...HOSTILE_KEYS),
  fc.constantFrom(
    "2026-01-01T00:00:00Z",
    "2099-01-01T00:00:00.123456789Z",
    "1970-01-01T00:00:00Z",
    "not a time",
  ),
);

/** Re-writes one field (or adds one) of the JSON argument of `line`, when it has one. */
function mutateJsonField(line: string, pick: number, value: unknown, extraKey: string): string {
  const space = line.indexOf(" ");
  if (space === -1) return line;
  let doc: unknown;
  try {
    doc = JSON.parse(line.slice(space + 1));
  } catch {
    return line;
  }
  const target = Array.isArray(doc) ? doc[pick % Math.max(1, doc.length)] : doc;
  if (target === null || typeof target !== "object" || Array.isArray(target)) return line;
  const record = target as Record<string, unknown>;
  const keys = [...Object.keys(record), extraKey];
  // defineProperty, not assignment: a "__proto__" key must become an own key of the JSON.
  Object.defineProperty(record, keys[pick % keys.length]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return `${line.slice(0, space)} ${JSON.stringify(doc)}`;
}

type ByteEdit =
  | { op: "flip"; at: number; byte: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; length: number }
  | { op: "duplicate"; at: number; length: number }
  | { op: "truncate"; at: number }
  | { op: "utf8"; at: number; which: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("utf8" as const), at: fc.nat(), which: fc.nat() }),
);

function applyEdit(line: Buffer, edit: ByteEdit): Buffer {
  const at = line.length === 0 ? 0 : edit.at % (line.length + 1);
  switch (edit.op) {
    case "flip": {
      if (line.length === 0) return line;
      const copy = Buffer.from(line);
      copy[at % line.length] = edit.byte;
      return copy;
    }
    case "insert":
      return Buffer.concat([line.subarray(0, at), edit.bytes, line.subarray(at)]);
    case "delete":
      return Buffer.concat([line.subarray(0, at), line.subarray(at + edit.length)]);
    case "duplicate":
      return Buffer.concat([line.subarray(0, at + edit.length), line.subarray(at)]);
    case "truncate":
      return line.subarray(0, at);
    case "utf8":
      return Buffer.concat([
        line.subarray(0, at),
        INVALID_UTF8[edit.which % INVALID_UTF8.length]!,
        line.subarray(at),
      ]);
  }
}

/** One fuzzed command line (it may contain CR/LF and so be several lines to the server). */
const fuzzedLine: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RECORDED).map((l) => Buffer.from(l)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...RECORDED), fc.array(byteEdit, { minLength: 1, maxLength: 4 }))
      .map(([l, edits]) => edits.reduce(applyEdit, Buffer.from(l))),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...RECORDED),
        fc.nat(),
        wrongValue,
        fc.constantFrom("jid", "extra", "queue", "args", "jobtype", "custom", ...HOSTILE_KEYS),
      )
      .map(([l, pick, value, key]) => Buffer.from(mutateJsonField(l, pick, value, key))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          "PUSH",
          "PUSHB",
          "ACK",
          "FAIL",
          "BEAT",
          "FETCH",
          "QUEUE",
          "MUTATE",
          "INFO",
          "FLUSH",
          "push",
          "",
        ),
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.string({ unit: "binary", maxLength: 40 }),
          wrongValue.map((v) => JSON.stringify(v) ?? ""),
        ),
      )
      .map(([verb, rest]) => Buffer.from(`${verb} ${rest}`)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)) },
);

const terminators = fc.constantFrom("\r\n", "\n", "\r\n", "\r\n");
const cutPoints = fc.oneof(
  fc.constant([] as number[]),
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
);

// ---- properties -------------------------------------------------------------------------------

describe("fuzzed server input", () => {
  it("has recorded lines to start from", () => {
    expect(RECORDED.length).toBeGreaterThan(30);
  });

  it("answers every line with one well-formed RESP reply until END, then closes, and keeps serving", async () => {
    const srv = await freshServer();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fuzzedLine, terminators), { minLength: 3, maxLength: 40, size: "medium" }),
        cutPoints,
        async (lines, cuts) => {
          const payload = Buffer.concat(lines.flatMap(([line, end]) => [line, Buffer.from(end)]));
          const s = await session(srv.port, payload, cuts);
          expect(s.replies).toHaveLength(s.answered);
          for (const [i, reply] of s.replies.entries()) {
            const line = s.lines[i]!.toString("utf8");
            // An error reply echoes at most a bounded slice of the line.
            if (reply.kind === "-") expect(reply.text.length, line.slice(0, 60)).toBeLessThanOrEqual(1100);
            if (line === "INFO") expect(reply.kind).toBe("$");
          }
          await stillServing(srv);
          expect(srv.info().server.connections).toBe(0);
        },
      ),
      { numRuns: runs(400) },
    );
  });

  it("keeps INFO consistent with the pushes it accepted", async () => {
    const job = fc.record(
      {
        jid: fc.oneof(
          fc.uuid(),
          fc.string({ minLength: 0, maxLength: 12 }),
          fc.constantFrom(...HOSTILE_KEYS),
        ),
        jobtype: fc.oneof(fc.constant("T"), fc.string({ maxLength: 5 }), fc.constantFrom(...HOSTILE_KEYS)),
        args: fc.oneof(
          fc.constant([] as unknown[]),
          fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
        ),
        queue: fc.oneof(
          fc.constantFrom("default", "q1", "q.2-x_y", "bad queue", "", "é", ...HOSTILE_KEYS),
          fc.string({ maxLength: 6 }),
        ),
        at: fc.constantFrom("2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "nope", ""),
        reserve_for: fc.constantFrom(0, 30, 600, 86_401, -5),
        retry: fc.constantFrom(25, 0, -1),
        custom: fc.dictionary(
          fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 4 })),
          fc.jsonValue({ maxDepth: 1 }),
          { maxKeys: 3 },
        ),
      },
      { requiredKeys: [] },
    );
    const command = fc.oneof(
      fc.tuple(job, fc.nat(), wrongValue, fc.boolean()).map(([j, pick, value, mutate]) => {
        const line = `PUSH ${JSON.stringify(j)}`;
        return { bulk: false, line: mutate ? mutateJsonField(line, pick, value, "extra") : line };
      }),
      fc
        .tuple(fc.array(job, { maxLength: 6 }), fc.nat(), wrongValue, fc.boolean())
        .map(([jobs, pick, value, mutate]) => {
          const line = `PUSHB ${JSON.stringify(jobs)}`;
          return { bulk: true, line: mutate ? mutateJsonField(line, pick, value, "extra") : line };
        }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 1, maxLength: 20 }),
        cutPoints,
        async (commands, cuts) => {
          const srv = await freshServer();
          const payload = Buffer.from(commands.map((c) => `${c.line}\r\n`).join(""));
          const s = await session(srv.port, payload, cuts);
          expect(s.replies).toHaveLength(commands.length);
          // Bounds on the jobs the server said it accepted, split by where they must be: queued
          // (enqueued now) or scheduled (a future `at`). Exact, unless a PUSHB refused a jid that
          // occurs more than once in it: its refusal map cannot say which copies it kept.
          const queued = { low: 0, high: 0 };
          const scheduled = { low: 0, high: 0 };
          const slot = (j: unknown): { low: number; high: number } => {
            const at = (j as { at?: unknown } | null)?.at;
            return typeof at === "string" && at !== "" && Date.parse(at) > Date.now() ? scheduled : queued;
          };
          commands.forEach((c, i) => {
            const reply = s.replies[i]!;
            if (!c.bulk) {
              expect(["+", "-"]).toContain(reply.kind);
              if (reply.kind === "+") {
                expect(reply.text).toBe("OK");
                const where = slot(JSON.parse(c.line.slice(5)));
                where.low++;
                where.high++;
              }
              return;
            }
            if (reply.kind === "-") return; // the whole line was refused
            expect(reply.kind).toBe("$");
            const refused = JSON.parse(reply.text as string) as Record<string, string>;
            const sent = JSON.parse(c.line.slice(6)) as { jid?: unknown }[];
            const keys = new Set(Object.keys(refused));
            // A missing or null jid decodes to "" (Go semantics), which is what the map is keyed by.
            const jidOf = (j: { jid?: unknown }): string => (typeof j.jid === "string" ? j.jid : "");
            let unsure = sent.length - keys.size; // accepted, but among jobs whose jid was refused
            for (const j of sent)
              if (!keys.has(jidOf(j))) {
                const where = slot(j);
                where.low++;
                where.high++;
                unsure--;
              }
            const unsureQueued = sent.filter((j) => keys.has(jidOf(j)) && slot(j) === queued).length;
            const unsureScheduled = sent.filter((j) => keys.has(jidOf(j)) && slot(j) === scheduled).length;
            queued.high += Math.min(unsure, unsureQueued);
            scheduled.high += Math.min(unsure, unsureScheduled);
          });
          const info = srv.info().faktory;
          const inQueues = Object.values(info.queues).reduce((a, b) => a + b, 0);
          expect(inQueues).toBeGreaterThanOrEqual(queued.low);
          expect(inQueues).toBeLessThanOrEqual(queued.high);
          expect(info.total_enqueued).toBeGreaterThanOrEqual(queued.low);
          expect(info.total_enqueued).toBeLessThanOrEqual(queued.high);
          expect(info.sets.scheduled).toBeGreaterThanOrEqual(scheduled.low);
          expect(info.sets.scheduled).toBeLessThanOrEqual(scheduled.high);
          expect(info.sets.working + info.sets.retries + info.sets.dead).toBe(0);
        },
      ),
      { numRuns: runs(250) },
    );
  });
});
