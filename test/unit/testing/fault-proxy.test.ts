import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../src/testing/fault-proxy.js";

let echo: Server | undefined;
let proxy: FaultProxy | undefined;
const sockets: Socket[] = [];

async function startEcho(): Promise<number> {
  echo = createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
    s.on("data", (d) => s.write(d));
  });
  await new Promise<void>((resolve) => echo!.listen(0, "127.0.0.1", resolve));
  const address = echo.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1" }, () => resolve(s));
    s.on("error", reject);
    sockets.push(s);
  });
}

function readAll(s: Socket, bytes: number): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    s.on("data", (d) => {
      got += d.toString();
      if (got.length >= bytes) resolve(got);
    });
  });
}

function closedBy(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) resolve();
    else s.on("close", () => resolve());
  });
}

afterEach(async () => {
  await proxy?.close();
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
  echo = undefined;
  proxy = undefined;
});

describe("fault proxy", () => {
  it("forwards bytes both ways, in order, even when splitting and delaying", async () => {
    const port = await startEcho();
    proxy = await startFaultProxy({ target: { port }, splitMax: 3, delayMaxMs: 2 });
    const s = await open(proxy.port);
    const text = 'PUSH {"jid":"abcdefgh"}\r\nINFO\r\n'.repeat(20);
    const reply = readAll(s, text.length);
    s.write(text);
    expect(await reply).toBe(text);
    expect(proxy.stats.connections).toBe(1);
  });

  it("cuts a connection before or after a chosen line", async () => {
    const port = await startEcho();
    const seen: string[] = [];
    proxy = await startFaultProxy({
      target: { port },
      onClientLine: (line) => {
        seen.push(line);
        return line.startsWith("ACK") ? "cut-after" : "forward";
      },
    });
    const s = await open(proxy.port);
    s.on("error", () => {});
    const first = readAll(s, 6);
    s.write("INFO\r\n");
    expect(await first).toBe("INFO\r\n");
    s.write("ACK {}\r\n");
    await closedBy(s);
    expect(seen).toEqual(["INFO", "ACK {}"]);
    expect(proxy.stats.cuts).toBe(1);
  });

  it("refuses new connections for a while, then accepts again", async () => {
    const port = await startEcho();
    proxy = await startFaultProxy({ target: { port } });
    proxy.refuseFor(100);
    const refused = connect({ port: proxy.port, host: "127.0.0.1" });
    sockets.push(refused);
    refused.on("error", () => {});
    await closedBy(refused);
    expect(proxy.stats.refused).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    const t = await open(proxy.port);
    const reply = readAll(t, 2);
    t.write("hi");
    expect(await reply).toBe("hi");
  });

  it("cuts random connections at the configured rate", async () => {
    const port = await startEcho();
    proxy = await startFaultProxy({ target: { port }, cutEveryMs: 5 });
    const s = await open(proxy.port);
    s.on("error", () => {});
    await closedBy(s);
    expect(proxy.stats.cuts).toBeGreaterThanOrEqual(1);
  });
});
