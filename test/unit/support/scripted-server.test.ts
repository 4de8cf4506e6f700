import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RespReader, type Reply } from "../../../src/protocol/resp-reader.js";
import {
  type FakeServer,
  matchJsonArgument,
  matchWithPlaceholders,
  type ScriptedServer,
  startFakeServer,
  startScriptedServer,
} from "../../support/scripted-server.js";
import {
  CLOSED,
  INFO_ELIDED,
  isConnectStep,
  isSendStep,
  listTranscripts,
  loadTranscript,
} from "../../support/transcripts.js";
import { until } from "../../support/until.js";

/** A raw client: connects, collects RESP replies, and can wait for the n-th one or for the close. */
class RawClient {
  readonly replies: Reply[] = [];
  private readonly reader = new RespReader((r) => {
    this.replies.push(r);
    this.wake();
  });
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.reader.push(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async reply(n: number): Promise<Reply> {
    while (this.replies.length <= n && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    const reply = this.replies[n];
    if (reply === undefined) throw new Error(`connection closed before reply #${n}`);
    return reply;
  }

  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }
}

/** What the recorded `recv` decodes to. */
function decodeRecv(recv: string): Reply[] {
  const out: Reply[] = [];
  new RespReader((r) => out.push(r)).push(Buffer.from(`${recv}\r\n`));
  return out;
}

const servers: (ScriptedServer | FakeServer)[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function openClient(port: number): Promise<RawClient> {
  const client = await RawClient.open(port);
  clients.push(client);
  return client;
}

/** Replays a transcript's client side in its recorded order against a scripted server. */
async function replayClientSide(name: string, server: ScriptedServer): Promise<void> {
  const t = loadTranscript(name);
  const byConn = new Map<string, { client: RawClient; next: number }>();
  for (const step of t.steps) {
    if (isConnectStep(step)) {
      const client = await openClient(server.port);
      byConn.set(step.conn, { client, next: 0 });
      expect(await client.reply(0)).toEqual(decodeRecv(step.recv)[0]);
      byConn.get(step.conn)!.next = 1;
    } else if (isSendStep(step)) {
      const c = byConn.get(step.conn)!;
      c.client.send(step.send.replace(/<now\+3600s>/g, "2030-01-01T00:00:00Z"));
      if (step.recv === CLOSED) {
        await c.client.waitClosed();
      } else if (step.recv === INFO_ELIDED) {
        expect((await c.client.reply(c.next++)).kind).toBe("bulk");
      } else {
        expect(await c.client.reply(c.next++)).toEqual(decodeRecv(step.recv)[0]);
      }
    }
  }
}

describe("loadTranscript", () => {
  it("loads every fixture with typed steps", () => {
    const names = listTranscripts();
    expect(names).toContain("push-fetch-ack");
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const name of names) {
      const t = loadTranscript(name);
      expect(t.name).toBe(name);
      expect(t.steps.some(isConnectStep)).toBe(true);
    }
    expect(loadTranscript("worker-reaped").slow).toBe(true);
  });

  it("rejects a missing file", () => {
    expect(() => loadTranscript("no-such-transcript")).toThrow();
  });
});

describe("matchers", () => {
  it("matchWithPlaceholders is exact except for <now...> placeholders", () => {
    expect(matchWithPlaceholders("INFO", "INFO")).toBe(true);
    expect(matchWithPlaceholders("INFO ", "INFO")).toBe(false);
    expect(matchWithPlaceholders('PUSH {"at":"2030-01-01T00:00:00Z"}', 'PUSH {"at":"<now+3600s>"}')).toBe(
      true,
    );
    expect(matchWithPlaceholders('PUSH {"at":"x","y":"z"}', 'PUSH {"at":"<now+3600s>"}')).toBe(false);
    expect(matchWithPlaceholders("FETCH a.b", "FETCH a.b")).toBe(true);
    expect(matchWithPlaceholders("FETCH axb", "FETCH a.b")).toBe(false);
  });

  it("matchJsonArgument ignores key order", () => {
    const step = { conn: "p", send: "", recv: "+OK", ms: 0 };
    expect(matchJsonArgument('HELLO {"v":2,"wid":"w"}', 'HELLO {"wid":"w","v":2}', step)).toBe(true);
    expect(matchJsonArgument('HELLO {"v":1}', 'HELLO {"v":2}', step)).toBe(false);
    expect(matchJsonArgument("PUSH {}", "HELLO {}", step)).toBe("verb PUSH instead of HELLO");
  });
});

describe("startScriptedServer", () => {
  it("replays push-fetch-ack.json to a raw client", async () => {
    const server = await startScriptedServer(loadTranscript("push-fetch-ack"));
    servers.push(server);
    await replayClientSide("push-fetch-ack", server);
    await server.done;
    expect(server.errors).toEqual([]);
    expect(server.received.map((r) => r.line)).toContain('ACK {"jid":"jid-pfa-1"}');
  });

  it("replays mutate.json, matching the <now+3600s> placeholders", async () => {
    const server = await startScriptedServer(loadTranscript("mutate"));
    servers.push(server);
    await replayClientSide("mutate", server);
    await server.done;
    expect(server.errors).toEqual([]);
  });

  it("closes the socket for <closed> and serves elided INFO", async () => {
    for (const name of ["flush-and-end", "password"]) {
      const server = await startScriptedServer(loadTranscript(name));
      servers.push(server);
      await replayClientSide(name, server);
      await server.done;
      expect(server.errors).toEqual([]);
    }
  });

  it("records a mismatch, answers it with -ERR and still completes", async () => {
    const server = await startScriptedServer(loadTranscript("handshake-producer"));
    servers.push(server);
    const client = await openClient(server.port);
    await client.reply(0);
    client.send('HELLO {"v":3}');
    const reply = await client.reply(1);
    expect(reply.kind).toBe("error");
    await server.done;
    expect(server.errors).toHaveLength(1);
    expect(server.errors[0]).toContain('HELLO {\\"v\\":3}');
  });

  it("uses per-step matchers, by index or inline", async () => {
    const server = await startScriptedServer(
      [
        { conn: "a", event: "connect", recv: '+HI {"v":2}' },
        { conn: "a", send: "HELLO {}", recv: "+OK", ms: 0, match: (actual) => actual.startsWith("HELLO ") },
        { conn: "a", send: "PUSH x", recv: "+OK", ms: 0 },
      ],
      { matchers: { 2: (actual) => actual.startsWith("PUSH ") || "not a PUSH" } },
    );
    servers.push(server);
    const client = await openClient(server.port);
    await client.reply(0);
    client.send('HELLO {"v":2,"hostname":"h"}');
    expect(await client.reply(1)).toEqual({ kind: "simple", value: "OK" });
    client.send("PUSH {}");
    expect(await client.reply(2)).toEqual({ kind: "simple", value: "OK" });
    await server.done;
    expect(server.errors).toEqual([]);
  });

  it("keeps cross-connection order: a later step waits for earlier ones", async () => {
    const server = await startScriptedServer([
      { conn: "p", event: "connect", recv: '+HI {"v":2}' },
      { conn: "w", event: "connect", recv: '+HI {"v":2}' },
      { conn: "p", send: "A", recv: "+A", ms: 0 },
      { conn: "w", send: "B", recv: "+B", ms: 0 },
    ]);
    servers.push(server);
    const p = await openClient(server.port);
    const w = await openClient(server.port);
    await p.reply(0);
    await w.reply(0);
    w.send("B");
    await new Promise((r) => setTimeout(r, 50));
    expect(w.replies).toHaveLength(1); // B is held until A has run
    p.send("A");
    expect(await w.reply(1)).toEqual({ kind: "simple", value: "B" });
    await server.done;
    expect(server.errors).toEqual([]);
  });

  it("reports extra connections and lines after the script", async () => {
    const server = await startScriptedServer([{ conn: "a", event: "connect", recv: '+HI {"v":2}' }]);
    servers.push(server);
    const a = await openClient(server.port);
    await a.reply(0);
    a.send("INFO");
    const b = await openClient(server.port);
    await b.waitClosed();
    await server.done;
    await until(() => server.errors.length === 2, "both surprises reported");
    expect(server.errors).toHaveLength(2);
    expect(server.errors.join("\n")).toMatch(/unexpected connection/);
    expect(server.errors.join("\n")).toMatch(/after the end of its script: "INFO"/);
  });
});

describe("startFakeServer", () => {
  it("greets, hands lines to the handler and writes its replies in order", async () => {
    const server = await startFakeServer(async (line) => {
      if (line === "SLOW") await new Promise((r) => setTimeout(r, 20));
      return `+${line}\r\n`;
    });
    servers.push(server);
    const client = await openClient(server.port);
    expect(await client.reply(0)).toEqual({ kind: "simple", value: 'HI {"v":2}' });
    client.socket.write("SLOW\r\nFAST\n");
    expect(await client.reply(1)).toEqual({ kind: "simple", value: "SLOW" });
    expect(await client.reply(2)).toEqual({ kind: "simple", value: "FAST" });
    expect(server.received).toEqual([
      { conn: 0, line: "SLOW" },
      { conn: 0, line: "FAST" },
    ]);
  });

  it("simulates silence, a custom greeting, close and reset", async () => {
    const server = await startFakeServer(
      (line, conn) => {
        if (line === "CLOSE") return "close";
        if (line === "RESET") return "reset";
        if (line === "GREET") conn.greet({ v: 2, i: 1, s: "abc" });
        return undefined;
      },
      { greeting: false },
    );
    servers.push(server);
    const silent = await openClient(server.port);
    silent.send("GREET");
    expect(await silent.reply(0)).toEqual({ kind: "simple", value: 'HI {"v":2,"i":1,"s":"abc"}' });
    silent.send("CLOSE");
    await silent.waitClosed();
    const reset = await openClient(server.port);
    reset.send("RESET");
    await reset.waitClosed();
    expect(reset.replies).toEqual([]);
    await server.waitForConnections(2);
    expect(server.connections.map((c) => c.lines)).toEqual([["GREET", "CLOSE"], ["RESET"]]);
  });

  it("records handler exceptions instead of throwing", async () => {
    const server = await startFakeServer(() => {
      throw new Error("boom");
    });
    servers.push(server);
    const client = await openClient(server.port);
    await client.reply(0);
    client.send("X");
    await until(() => server.errors.length > 0, "the handler's error recorded");
    expect(server.errors).toHaveLength(1);
    expect(server.errors[0]).toMatch(/boom/);
  });
});
