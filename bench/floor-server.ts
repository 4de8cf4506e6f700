/**
 * The floor reference for the server's CPU per job: the least a Node server can do to serve the
 * bench's load client over the Faktory protocol — the same socket reads and writes (one reply
 * per command), but no validation, no JSON, no reservations, no counters. PUSH keeps the job's
 * text as it came; FETCH hands it back (or parks until a push, `$-1` after 2 s); every other
 * command answers `+OK`. Not a Faktory server: only for `npm run bench -- --only server --floor`.
 */
import { createServer, type Server, type Socket } from "node:net";

const QUEUE_FIELD = /"queue":"([^"]*)"/;

interface Parked {
  socket: Socket;
  queues: readonly string[];
  timer: NodeJS.Timeout;
}

/** Starts the floor server on a free port of 127.0.0.1; resolves with it and its URL. */
export async function startFloorServer(): Promise<{ server: Server; url: string }> {
  const queues = new Map<string, string[]>();
  const parked: Parked[] = [];

  const bulk = (payload: string): string => `$${Buffer.byteLength(payload)}\r\n${payload}\r\n`;
  const take = (names: readonly string[]): string | undefined => {
    for (const name of names) {
      const q = queues.get(name);
      if (q !== undefined && q.length > 0) return q.shift();
    }
    return undefined;
  };
  const onLine = (socket: Socket, line: string): void => {
    const space = line.indexOf(" ");
    const verb = space === -1 ? line : line.slice(0, space);
    if (verb === "PUSH") {
      const payload = line.slice(5);
      const queue = QUEUE_FIELD.exec(payload)?.[1] ?? "default";
      const waiter = parked.findIndex((p) => p.queues.includes(queue));
      if (waiter !== -1) {
        const [p] = parked.splice(waiter, 1);
        clearTimeout(p!.timer);
        p!.socket.write(bulk(payload));
      } else {
        const q = queues.get(queue);
        if (q === undefined) queues.set(queue, [payload]);
        else q.push(payload);
      }
    } else if (verb === "FETCH") {
      const names = line.slice(6).split(" ");
      const payload = take(names);
      if (payload !== undefined) {
        socket.write(bulk(payload));
        return;
      }
      const p: Parked = {
        socket,
        queues: names,
        timer: setTimeout(() => {
          parked.splice(parked.indexOf(p), 1);
          socket.write("$-1\r\n");
        }, 2000),
      };
      parked.push(p);
      return;
    }
    socket.write("+OK\r\n");
  };

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let rest = "";
    socket.on("data", (chunk: Buffer) => {
      let text = rest + chunk.toString("utf8");
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n")) {
        onLine(socket, text.slice(0, nl > 0 && text[nl - 1] === "\r" ? nl - 1 : nl));
        text = text.slice(nl + 1);
      }
      rest = text;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      for (let i = parked.length - 1; i >= 0; i--)
        if (parked[i]!.socket === socket) clearTimeout(parked.splice(i, 1)[0]!.timer);
    });
    socket.write('+HI {"v":2}\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("floor server: no TCP address");
  return { server, url: `tcp://127.0.0.1:${address.port}` };
}
