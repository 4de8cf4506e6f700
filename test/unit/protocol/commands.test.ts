import { describe, expect, it } from "vitest";
import {
  ackCommand,
  beatCommand,
  encodeCommand,
  endCommand,
  failCommand,
  fetchCommand,
  flushCommand,
  helloCommand,
  infoCommand,
  mutateCommand,
  parseBeatReply,
  parseHi,
  parseJsonReply,
  pushBulkCommand,
  pushCommand,
  queueCommand,
} from "../../../src/protocol/commands.js";
import { ProtocolError, ValidationError } from "../../../src/protocol/errors.js";
import type { MutateOperation } from "../../../src/protocol/messages.js";
import { type Reply, RespReader } from "../../../src/protocol/resp-reader.js";
import { isConnectStep, isSendStep, listTranscripts, loadTranscript } from "../../support/transcripts.js";

function decodeRecv(recv: string): Reply {
  const out: Reply[] = [];
  new RespReader((r) => out.push(r)).push(Buffer.from(`${recv}\r\n`));
  expect(out).toHaveLength(1);
  return out[0]!;
}

/** Every `send` line of every transcript, for "our builder writes what the recording shows". */
const recordedLines = new Set(
  listTranscripts().flatMap((n) =>
    loadTranscript(n)
      .steps.filter(isSendStep)
      .map((s) => s.send),
  ),
);
const expectRecorded = (line: string): void => {
  expect(line.endsWith("\r\n")).toBe(true);
  expect(recordedLines.has(line.slice(0, -2)), line).toBe(true);
};

describe("command builders", () => {
  it("encodeCommand: verb alone, a string argument as is, anything else as JSON", () => {
    expect(encodeCommand("INFO")).toBe("INFO\r\n");
    expect(encodeCommand("QUEUE", "PAUSE a")).toBe("QUEUE PAUSE a\r\n");
    expect(encodeCommand("ACK", { jid: "x" })).toBe('ACK {"jid":"x"}\r\n');
  });

  it("HELLO, producer and worker, as recorded", () => {
    expect(helloCommand({ v: 2 })).toBe('HELLO {"v":2}\r\n');
    expectRecorded(helloCommand({ hostname: "host-a", wid: "wid-pfa", pid: 4242, labels: ["node"], v: 2 }));
    expectRecorded(
      helloCommand({ v: 2, pwdhash: "275b617fb0d2afc7cc8885b904931c2c458dec872a7ec240e88b1bf9a5368677" }),
    );
  });

  it("PUSH and PUSHB, as recorded", () => {
    expectRecorded(pushCommand({ jid: "jid-pfa-1", jobtype: "SendEmail", args: [1, "two"] }));
    expect(pushCommand({ jid: "jid-pfa-1", jobtype: "SendEmail", args: [1, "two"] })).toBe(
      'PUSH {"jid":"jid-pfa-1","jobtype":"SendEmail","args":[1,"two"]}\r\n',
    );
    expectRecorded(
      pushBulkCommand([
        { jid: "jid-bulk-1", jobtype: "SendEmail", args: [1, "two"] },
        { jid: "jid-bulk-2", jobtype: "SendEmail", args: [1, "two"], queue: "bulk" },
      ]),
    );
    expect(pushBulkCommand([])).toBe("PUSHB []\r\n");
  });

  it("ACK, FAIL, BEAT, as recorded", () => {
    expect(ackCommand("jid-pfa-1")).toBe('ACK {"jid":"jid-pfa-1"}\r\n');
    expectRecorded(ackCommand("jid-pfa-1"));
    expectRecorded(
      failCommand({
        jid: "jid-fail-1",
        errtype: "RuntimeError",
        message: "boom",
        backtrace: ["a.ts:1", "b.ts:2", "c.ts:3"],
      }),
    );
    expectRecorded(beatCommand({ wid: "wid-hb-1" }));
    expectRecorded(beatCommand({ wid: "wid-hb-1", current_state: "quiet" }));
    expectRecorded(beatCommand({ wid: "wid-hb-1", current_state: "running", rss_kb: 51234 }));
  });

  it("INFO, FLUSH, END", () => {
    expect(infoCommand()).toBe("INFO\r\n");
    expect(flushCommand()).toBe("FLUSH\r\n");
    expect(endCommand()).toBe("END\r\n");
  });

  it("MUTATE: as recorded, and never with a space", () => {
    expectRecorded(mutateCommand({ cmd: "kill", target: "scheduled", filter: { jobtype: "A" } }));
    expectRecorded(mutateCommand({ cmd: "discard", target: "dead", filter: { jids: ["jid-mut-1"] } }));
    expectRecorded(mutateCommand({ cmd: "clear", target: "scheduled" }));
    expectRecorded(mutateCommand({ cmd: "requeue", target: "dead", filter: { regexp: "*jid-mut-3*" } }));
    expectRecorded(mutateCommand({ cmd: "requeue", target: "retries", filter: { jids: ["jid-fail-1"] } }));

    const op: MutateOperation = {
      cmd: "discard",
      target: "retries",
      filter: { jobtype: "Send Email", regexp: "* uid 1 *", jids: ["a b"] },
    };
    const line = mutateCommand(op);
    const body = line.slice(0, -2);
    expect(body.split(" ")).toHaveLength(2); // the server's check
    expect(line.startsWith("MUTATE {")).toBe(true);
    expect(JSON.parse(body.slice("MUTATE ".length))).toEqual(op);
  });

  it("FETCH: names joined by single spaces; at least one, none blank or with whitespace", () => {
    expect(fetchCommand(["default"])).toBe("FETCH default\r\n");
    expectRecorded(fetchCommand(["high", "low"]));
    expect(() => fetchCommand([])).toThrow(ValidationError);
    expect(() => fetchCommand([])).toThrow("FETCH must be called with one or more queue names");
    for (const bad of [[""], ["a b"], ["a\tb"], ["ok", "a\r\nINFO"]]) {
      expect(() => fetchCommand(bad)).toThrow(ValidationError);
      try {
        fetchCommand(bad);
      } catch (err) {
        expect((err as ValidationError).field).toBe("queues");
        expect((err as ValidationError).code).toBe("VALIDATION");
      }
    }
  });

  it("QUEUE subcommands, with * for every queue", () => {
    expectRecorded(queueCommand("PAUSE", ["q1"]));
    expectRecorded(queueCommand("RESUME", ["q1"]));
    expectRecorded(queueCommand("LATENCY", ["q1", "q2"]));
    expect(queueCommand("PAUSE", ["*"])).toBe("QUEUE PAUSE *\r\n");
    expect(queueCommand("RESUME", ["*"])).toBe("QUEUE RESUME *\r\n");
    expect(queueCommand("REMOVE", ["a", "b"])).toBe("QUEUE REMOVE a b\r\n");
    expect(() => queueCommand("PAUSE", [])).toThrow(ValidationError);
    expect(() => queueCommand("REMOVE", ["a b"])).toThrow(ValidationError);
    expect(() => queueCommand("LATENCY", [])).toThrow(ValidationError);
  });
});

describe("parseHi", () => {
  it("parses greetings without and with a password challenge, in either key order", () => {
    expect(parseHi('HI {"v":2}')).toEqual({ v: 2 });
    expect(parseHi('HI {"v":2,"i":7017,"s":"18ac7d83586274f7"}')).toEqual({
      v: 2,
      i: 7017,
      s: "18ac7d83586274f7",
    });
    expect(parseHi('HI {"v":2,"s":"123456789abc","i":1735}')).toEqual({ v: 2, s: "123456789abc", i: 1735 });
    expect(parseHi('HI {"s":"abc","i":1,"v":2}')).toEqual({ v: 2, i: 1, s: "abc" });
  });

  it("parses every recorded greeting", () => {
    for (const name of listTranscripts())
      for (const step of loadTranscript(name).steps.filter(isConnectStep)) {
        const reply = decodeRecv(step.recv);
        expect(reply.kind).toBe("simple");
        if (reply.kind === "simple") expect(parseHi(reply.value).v).toBe(2);
      }
  });

  it("throws ProtocolError on anything else", () => {
    for (const text of [
      "OK",
      "HELLO {}",
      "HI",
      "HI {bad",
      "HI {}",
      'HI {"v":"2"}',
      "HI null",
      "HI [2]",
      'hi {"v":2}',
    ])
      expect(() => parseHi(text), text).toThrow(ProtocolError);
  });
});

describe("parseBeatReply", () => {
  it("+OK means running", () => {
    expect(parseBeatReply({ kind: "simple", value: "OK" })).toBe("running");
  });

  it("accepts a bulk or a simple state document", () => {
    expect(parseBeatReply({ kind: "bulk", value: '{"state":"quiet"}' })).toBe("quiet");
    expect(parseBeatReply({ kind: "bulk", value: '{"state":"terminate"}' })).toBe("terminate");
    expect(parseBeatReply({ kind: "simple", value: '{"state":"quiet"}' })).toBe("quiet");
    expect(parseBeatReply({ kind: "simple", value: '{"state": "quiet"}' })).toBe("quiet");
    expect(parseBeatReply({ kind: "simple", value: '{"state":"terminate"}' })).toBe("terminate");
  });

  it("decodes the recorded BEAT replies", () => {
    const states = loadTranscript("heartbeat")
      .steps.filter(isSendStep)
      .filter((s) => s.send.startsWith("BEAT ") && !s.recv.startsWith("-"))
      .map((s) => parseBeatReply(decodeRecv(s.recv)));
    expect(states).toEqual(["running", "running", "quiet", "quiet", "terminate"]);
  });

  it("throws ProtocolError on anything else", () => {
    const bad: Reply[] = [
      { kind: "null" },
      { kind: "integer", value: 1 },
      { kind: "error", code: "ERR", message: "unknown worker w" },
      { kind: "bulk", value: "garbage" },
      { kind: "bulk", value: "null" },
      { kind: "bulk", value: '{"state":"sleepy"}' },
      { kind: "simple", value: "QUEUED" },
      { kind: "bulk", value: "{}" },
    ];
    for (const reply of bad)
      expect(() => parseBeatReply(reply), JSON.stringify(reply)).toThrow(ProtocolError);
  });
});

describe("parseJsonReply", () => {
  it("parses bulk JSON, and null for $-1", () => {
    expect(parseJsonReply({ kind: "null" }, "FETCH")).toBeNull();
    expect(parseJsonReply<Record<string, string>>({ kind: "bulk", value: "{}" }, "PUSHB")).toEqual({});
    expect(parseJsonReply({ kind: "simple", value: "[1]" }, "X")).toEqual([1]);
    expect(
      parseJsonReply(decodeRecv('$51\r\n{"jid-bulk-4":"jobs must have a jobtype parameter"}'), "PUSHB"),
    ).toEqual({ "jid-bulk-4": "jobs must have a jobtype parameter" });
  });

  it("parses every recorded bulk reply", () => {
    for (const name of listTranscripts())
      for (const step of loadTranscript(name).steps.filter(isSendStep))
        if (step.recv.startsWith("$"))
          expect(() => parseJsonReply(decodeRecv(step.recv), step.send)).not.toThrow();
  });

  it("throws ProtocolError on malformed JSON or a non-data reply", () => {
    expect(() => parseJsonReply({ kind: "bulk", value: "{nope" }, "INFO")).toThrow(ProtocolError);
    expect(() => parseJsonReply({ kind: "bulk", value: "{nope" }, "INFO")).toThrow(/INFO/);
    expect(() => parseJsonReply({ kind: "error", code: "ERR", message: "x" }, "INFO")).toThrow(ProtocolError);
    expect(() => parseJsonReply({ kind: "integer", value: 3 }, "INFO")).toThrow(ProtocolError);
  });
});
