import { createServer, type Server, type Socket } from "node:net";

/** A minimal line-based fake server for connection tests. */
export interface Fake {
  port: number;
  lines: string[];
  chunks: string[];
  sockets: Socket[];
  close(): Promise<void>;
}

/**
 * Starts a fake: sends `greeting` (unless null) on connect, then calls `onLine` for each line,
 * writing whatever it returns (a string) or nothing (undefined).
 */
export async function startFake(
  onLine: (line: string, socket: Socket) => string | undefined,
  greeting: string | null = '+HI {"v":2}\r\n',
): Promise<Fake> {
  const fake: Fake = { port: 0, lines: [], chunks: [], sockets: [], close: async () => {} };
  const server: Server = createServer((socket) => {
    fake.sockets.push(socket);
    socket.on("error", () => {});
    if (greeting !== null) socket.write(greeting);
    let partial = "";
    socket.on("data", (chunk: Buffer) => {
      fake.chunks.push(chunk.toString());
      partial += chunk.toString();
      let nl = partial.indexOf("\n");
      while (nl >= 0) {
        const line = partial.slice(0, nl).replace(/\r$/, "");
        partial = partial.slice(nl + 1);
        fake.lines.push(line);
        const reply = onLine(line, socket);
        if (reply !== undefined && !socket.destroyed) socket.write(reply);
        nl = partial.indexOf("\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  fake.port = typeof address === "object" && address !== null ? address.port : 0;
  fake.close = async () => {
    for (const s of fake.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}
