/**
 * The server's own JavaScript cost per job, without sockets: `npm run bench:server-micro`.
 * Drives the real command path (line reader, dispatch, PUSH / FETCH / ACK handlers, the job
 * engine, the memory storage, reply writing) through connections whose socket is an in-process
 * fake, in the bench's load mix (5 pushing and 5 fetching connections, one command at a time,
 * 1% FAIL), and prints the CPU time per job (user + system of this process ÷ jobs), min and
 * median of several runs: `npm run bench:server-micro -- [jobs per run] [runs]`. What the
 * full `--only server` bench adds on top of this is the kernel's and Node's socket I/O, which
 * `--floor` measures on its own.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { generateJid } from "../src/protocol/ids.js";
import { systemClock } from "../src/server/clock.js";
import { ServerCore } from "../src/server/core.js";
import { silentLogger } from "../src/server/logger.js";
import { ClientConnection } from "../src/server/network/connection.js";
import { MemoryStorage } from "../src/server/storage/memory.js";

/** A socket stand-in: `write` hands the reply to the test, reads are `emit("data")`. */
class FakeSocket extends EventEmitter {
  onReply: (reply: string) => void = () => {};
  writableLength = 0;
  setNoDelay(): void {}
  cork(): void {}
  uncork(): void {}
  pause(): void {}
  resume(): void {}
  destroy(): void {}
  end(_last: unknown, cb?: () => void): void {
    cb?.();
  }
  write(data: string | Buffer): boolean {
    this.onReply(typeof data === "string" ? data : data.toString("latin1"));
    return true;
  }
}

const core = new ServerCore({ storage: new MemoryStorage(), clock: systemClock, logger: silentLogger });
const settings = {
  password: undefined,
  maxLineBytes: 1 << 25,
  maxConnections: 100,
  handshakeTimeoutMs: 2000,
};

interface Peer {
  send(line: string): Promise<string>;
}

function connect(wid: string): Peer {
  const socket = new FakeSocket();
  const conn = new ClientConnection(socket as unknown as Socket, core, settings, () => {});
  conn.start();
  let waiting: ((reply: string) => void) | undefined;
  socket.onReply = (reply) => {
    const w = waiting;
    waiting = undefined;
    w?.(reply);
  };
  const send = (line: string): Promise<string> =>
    new Promise((resolve) => {
      waiting = resolve;
      socket.emit("data", Buffer.from(line));
    });
  void send(`HELLO {"v":2,"wid":"${wid}","hostname":"h","pid":1,"labels":[]}\r\n`);
  return { send };
}

async function run(jobs: number): Promise<number> {
  const queues = Array.from({ length: 5 }, (_, i) => `q${i}`);
  const peers = Array.from({ length: 10 }, (_, i) => connect(i % 2 === 0 ? "" : `w${i}`));
  let pushes = 0;
  let pops = 0;
  const pusher = async (peer: Peer): Promise<void> => {
    while (pushes < jobs) {
      pushes++;
      const queue = queues[Math.floor(Math.random() * queues.length)]!;
      await peer.send(
        `PUSH {"jid":"${generateJid()}","jobtype":"SomeJob","args":[1,"string",3],"queue":"${queue}"}\r\n`,
      );
    }
  };
  const fetcher = async (peer: Peer, order: string): Promise<void> => {
    while (pops < jobs) {
      const reply = await peer.send(`FETCH ${order}\r\n`);
      if (!reply.startsWith("$") || reply.startsWith("$-1")) continue;
      const jid = /"jid":"([^"]+)"/.exec(reply)![1]!;
      pops++;
      if (Math.floor(Math.random() * 100) === 99)
        await peer.send(`FAIL {"jid":"${jid}","errtype":"ErrClosed","message":"file already closed"}\r\n`);
      else await peer.send(`ACK {"jid":"${jid}"}\r\n`);
    }
  };
  const start = process.cpuUsage();
  const fetchers = peers
    .filter((_, i) => i % 2 === 1)
    .map((p, i) => fetcher(p, [...queues.slice(i), ...queues.slice(0, i)].join(" ")));
  await Promise.all(peers.filter((_, i) => i % 2 === 0).map(pusher));
  // The last fetchers may wait for jobs that went elsewhere: push fillers to release them.
  while (pops < jobs)
    await peers[0]!.send(`PUSH {"jid":"${generateJid()}","jobtype":"X","args":[],"queue":"q0"}\r\n`);
  const used = process.cpuUsage(start);
  void fetchers;
  return (used.user + used.system) / jobs;
}

const jobs = Number(process.argv[2] ?? 50_000);
const runs = Number(process.argv[3] ?? 9);
await run(20_000); // warm-up
const results: number[] = [];
for (let i = 0; i < runs; i++) results.push(await run(jobs));
results.sort((a, b) => a - b);
// The minimum is the figure least disturbed by other processes on a shared machine.
process.stdout.write(
  `server JS per job (no sockets): min ${results[0]!.toFixed(2)} µs, median ${results[Math.floor(runs / 2)]!.toFixed(2)} µs (${runs} runs of ${jobs} jobs)\n`,
);
process.exit(0);
